// Accessible tables for the HTML reports: a caption, a <thead> of <th scope="col">, inside a
// wrapper that scrolls sideways as a whole (with a shadow as the cue) when the table is wider
// than the page, so that a table never widens the page or clips a column.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace tb {

struct HtmlColumn {
  HtmlColumn(std::string name_html, bool left_aligned = false, std::string header_class = {})
      : name(std::move(name_html)), left(left_aligned), cls(std::move(header_class)) {}
  HtmlColumn(const char* name_html, bool left_aligned = false)
      : HtmlColumn(std::string(name_html), left_aligned) {}

  std::string name;   // HTML, already escaped
  bool left = false;  // text columns read left-aligned; numbers right-aligned
  std::string cls;    // extra class for the column's header (a width hint)
};

// Writes <div class="tw"><table><caption>..</caption><thead>..</thead><tbody>.
void open_html_table(std::ostream& h, const std::string& caption_html,
                     const std::vector<HtmlColumn>& columns);
// Writes </tbody></table></div>.
void close_html_table(std::ostream& h);

}  // namespace tb
