#include "report/html_table.hpp"

namespace tb {

void open_html_table(std::ostream& h, const std::string& caption_html,
                     const std::vector<HtmlColumn>& columns) {
  h << "<div class=\"tw\"><table><caption>" << caption_html << "</caption><thead><tr>";
  for (const auto& c : columns) {
    std::string cls = c.left ? "l" : "";
    if (!c.cls.empty()) cls += (cls.empty() ? "" : " ") + c.cls;
    h << "<th scope=\"col\"" << (cls.empty() ? "" : " class=\"" + cls + "\"") << ">" << c.name
      << "</th>";
  }
  h << "</tr></thead><tbody>\n";
}

void close_html_table(std::ostream& h) {
  h << "</tbody></table></div>\n";
}

}  // namespace tb
