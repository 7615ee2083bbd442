#include "report/html_case_grid.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "common/json_depth.hpp"
#include "common/text.hpp"
#include "report/html_table.hpp"
#include "report/report_text.hpp"
#include "report/text_diff.hpp"
#include "store/case_grid.hpp"
#include "store/store.hpp"
#include "suite/prompt_renderer.hpp"

namespace tb {
namespace {

constexpr std::size_t kExcerpt = 160;     // characters of the input and reference in a row
constexpr std::size_t kDiffChars = 4000;  // longer answers or references are not diffed here

constexpr std::string_view kCss = R"css(
.gf{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;margin:.6rem 0;font-size:.9rem}
.gf label{white-space:nowrap}.gf input[type=search]{min-width:0;width:14rem;max-width:100%}
table.grid td,table.grid th{text-align:left}table.grid td.x{min-width:10rem;max-width:22rem;overflow-wrap:anywhere}
table.grid td.c{min-width:6.5rem}table.grid td.c details[open]{min-width:24rem}
td.c summary{cursor:pointer;font-weight:600;white-space:nowrap}
td.c-pass{background:#e6f4ea}td.c-fail{background:#fce8e6}td.c-mixed{background:#fef7e0}td.c-none{background:#f1f3f4;color:#667}
.res{border-top:1px solid #d5d9e0;margin-top:.4rem;padding-top:.3rem}.res p{margin:.2rem 0}
.checks{list-style:none;padding:0;margin:.2rem 0;font-size:.8rem;overflow-wrap:anywhere}
pre.diff del{background:#f6c6c0;text-decoration:line-through}pre.diff ins{background:#bfe5c8;text-decoration:none}
.tag{display:inline-block;font-size:.7rem;border:1px solid #c9d3e6;border-radius:3px;padding:0 .25rem;margin-left:.2rem;font-weight:400}
table.grid td.x{font-size:.8rem}table.grid tr[hidden]{display:none}
@media (max-width:700px){table.grid,table.grid tbody,table.grid tr,table.grid th,table.grid td{display:block;width:auto}
table.grid thead{display:none}table.grid caption{display:block}table.grid tr{border-bottom:2px solid #c9d3e6;padding:.3rem 0}table.grid td,table.grid th{border:0;padding:.2rem .4rem}
table.grid td.x,table.grid td.c details[open]{min-width:0;max-width:none}table.grid td.c{margin:.15rem 0;border-radius:4px}
table.grid td[data-v]::before{content:attr(data-v);display:block;font-size:.7rem;color:#556}}
@media print{.gf{display:none}}
)css";

// Filters and sort, on the rows' data-* attributes; the form stays hidden when scripts are off.
constexpr std::string_view kScript = R"js(<script>
(function(){
var g=document.getElementById('case-grid'),f=document.getElementById('grid-filters');
if(!g||!f)return;f.hidden=false;
var body=g.tBodies[0],rows=[].slice.call(body.rows),texts=null,n=document.getElementById('grid-count');
function apply(){
  var e=f.elements,q=e.q.value.trim().toLowerCase(),k=e.kind.value,shown=0;
  if(q&&!texts)texts=rows.map(function(r){return r.textContent.toLowerCase();});
  rows.forEach(function(r,i){
    var d=r.dataset,ok=(!e.failing.checked||d.failing!=='0')&&(!e.disagree.checked||d.disagree==='1')&&
      (!k||(' '+d.kinds+' ').indexOf(' '+k+' ')>=0)&&(!q||texts[i].indexOf(q)>=0);
    r.hidden=!ok;if(ok)shown++;
  });
  n.textContent=shown+' of '+rows.length+(rows.length===1?' case':' cases')+' shown';
}
function sort(){
  var by=f.elements.sort.value;
  rows.map(function(r,i){return [r,i];}).sort(function(a,b){
    return (by==='failing'?(b[0].dataset.failing-a[0].dataset.failing)||(b[0].dataset.disagree-a[0].dataset.disagree):0)||
      (a[0].dataset.case-b[0].dataset.case);
  }).forEach(function(p){body.appendChild(p[0]);});
}
f.addEventListener('input',function(ev){if(ev.target.name==='sort')sort();apply();});
f.addEventListener('change',function(ev){if(ev.target.name==='sort')sort();apply();});
f.addEventListener('submit',function(ev){ev.preventDefault();});
apply();
})();
</script>
)js";

// An answer in a cell: whole up to kDiffChars (longer ones scroll inside the box, which says so;
// beyond, the CSV, JSON and database hold the rest), so that a grid of thousands of cases stays
// a file a browser opens.
std::string output_box(const std::string& text) {
  const std::string shown = text.size() > kDiffChars ? ellipsize(text, kDiffChars) : text;
  const long long lines = 1 + std::count(shown.begin(), shown.end(), '\n');
  const bool is_long = lines > 24 || shown.size() > 2400;
  std::string box = std::string("<pre") + (is_long ? " class=\"long\" tabindex=\"0\"" : "") + ">" +
                    html_text_escape(shown) + "</pre>";
  if (is_long)
    box += "<div class=\"cue\">" + std::to_string(lines) + (lines == 1 ? " line" : " lines") +
           ": scroll inside the box for the rest</div>";
  if (text.size() > kDiffChars)
    box += "<div class=\"cue\">" +
           with_thousands(static_cast<long long>(text.size() - kDiffChars)) +
           " more characters in the CSV, JSON and database</div>";
  return box;
}

std::string plural(long long n, std::string_view one, std::string_view many) {
  return with_thousands(n) + " " + std::string(n == 1 ? one : many);
}

// What the row's data-kinds holds for a result that did not pass: its format failure, "error"
// for no answer, "check" for a well-formed answer a required check failed.
std::string kind_of(const CaseGridResult& r) {
  if (r.status != "ok") return "error";
  if (r.failure_kind.empty() || r.failure_kind == "none") return "check";
  return r.failure_kind;
}

std::string kind_label(std::string_view kind) {
  if (kind == "check") return "check failed (format kept)";
  if (kind == "error") return "error (no answer)";
  return std::string(kind);
}

std::string tokens_text(const CaseGridResult& r) {
  if (r.prompt_tokens < 0 && r.completion_tokens < 0) return "tokens unknown";
  const auto count = [](long long t) { return t < 0 ? std::string("?") : with_thousands(t); };
  return count(r.prompt_tokens) + " + " + count(r.completion_tokens) + " tokens";
}

void write_result(const CaseGridResult& r, const std::string& reference, bool with_repeat,
                  std::ostream& h) {
  h << "<div class=\"res\"><p>";
  if (with_repeat) h << "<b>repeat " << r.repeat + 1 << "</b>: ";
  h << (r.passed
            ? "<span class=\"good\">\u2713 passed</span>"
            : "<span class=\"bad\">\u2717 " + html_text_escape(kind_label(kind_of(r))) + "</span>")
    << "</p><p class=\"small\">" << tokens_text(r) << " &middot; " << fixed(r.latency_ms, 0)
    << " ms &middot; " << format_usd(r.cost_usd) << "</p>";
  if (r.status != "ok")
    h << "<p class=\"bad\">" << html_text_escape(r.error_class)
      << (r.error_message.empty() ? "" : ": " + html_text_escape(r.error_message)) << "</p>";
  // Failed checks one a line; the passed ones on one line after them, to keep cells small.
  std::string passed;
  bool any_failed = false;
  for (const auto& c : r.checks) {
    const std::string text = html_text_escape(c.name) + (c.required ? "" : " (optional)") +
                             (c.detail.empty() ? "" : ": " + html_text_escape(c.detail));
    if (c.passed) {
      passed += (passed.empty() ? "" : " &middot; ") + text;
      continue;
    }
    h << (any_failed ? "" : "<ul class=\"checks\">") << "<li class=\"bad\">\u2717 " << text
      << "</li>";
    any_failed = true;
  }
  if (any_failed) h << "</ul>";
  if (!passed.empty()) h << "<p class=\"checks good\">\u2713 " << passed << "</p>";
  if (r.status == "ok" || !r.output.empty()) h << output_box(r.output);
  if (!reference.empty() && r.status == "ok") {
    if (r.output == reference) {
      h << "<p class=\"small\">The answer is the reference, to the character.</p>";
    } else if (const auto diff = r.output.size() > kDiffChars || reference.size() > kDiffChars
                                     ? std::nullopt
                                     : word_diff(reference, r.output)) {
      h << "<p class=\"small\">Against the reference (<del>only in the reference</del>, "
           "<ins>only in the answer</ins>):</p><pre class=\"diff\">"
        << diff_html(*diff) << "</pre>";
    } else {
      h << "<p class=\"small\">Too long to compare with the reference here.</p>";
    }
  }
  h << "</div>";
}

// `variant` labels the cell where the grid reflows into one block per case (narrow screens).
void write_cell(const CaseGridCell& cell, const std::string& variant, const std::string& reference,
                int repeats, std::ostream& h) {
  const int n = static_cast<int>(cell.results.size());
  if (n == 0) {
    h << "<td class=\"c c-none\" data-v=\"" << html_escape(variant) << "\">no result</td>";
    return;
  }
  const int k = cell.passed();
  const char* state = k == n ? "pass" : k == 0 ? "fail" : "mixed";
  std::string label = k == n ? "\u2713 " : k == 0 ? "\u2717 " : "\u25d0 ";
  if (repeats > 1 || n > 1)
    label += std::to_string(k) + "/" + std::to_string(n);
  else
    label += k == n ? "pass" : "fail";
  // The kinds of its failures, on the closed cell: why it failed, without opening it.
  std::set<std::string> kinds;
  for (const auto& r : cell.results)
    if (!r.passed) kinds.insert(kind_of(r));
  h << "<td class=\"c c-" << state << "\" data-v=\"" << html_escape(variant)
    << "\"><details><summary>" << label;
  for (const auto& kind : kinds) h << " <span class=\"tag\">" << html_escape(kind) << "</span>";
  h << "</summary>";
  for (const auto& r : cell.results) write_result(r, reference, repeats > 1 || n > 1, h);
  h << "</details></td>";
}

}  // namespace

std::string_view case_grid_css() {
  return kCss;
}

std::string case_input_text(std::string_view messages_json) {
  const auto messages = parse_json_bounded(messages_json);
  return messages.is_array() ? question_text(messages) : std::string();
}

void write_case_grid(Store& store, const RunSummary& summary, long long max_cases,
                     std::ostream& h) {
  const auto& run = summary.run;
  const auto variants = store.variants(run.id);
  h << "<h2 id=\"cases\">Every case, side by side</h2>\n";

  // The table first into a buffer: the failure kinds the filter offers are the rows' own.
  std::ostringstream t;
  std::set<std::string> kinds;
  std::vector<HtmlColumn> columns{{"case", true}, {"input", true}, {"reference answer", true}};
  for (const auto& v : variants) columns.push_back({html_escape(v.id), true});
  open_html_table(
      t,
      "Each case's answer in every variant: \u2713 passed every required check, "
      "\u2717 did not" +
          std::string(run.repeats > 1 ? ", \u25d0 some repeats did (passed/repeats)" : "") +
          "; open a cell for the whole answer",
      columns);
  const CaseGridCounts counts =
      store.for_each_case_row(run.id, max_cases, [&](const CaseGridRow& row) {
        std::set<std::string> row_kinds;
        for (const auto& cell : row.cells)
          for (const auto& r : cell.results)
            if (!r.passed) row_kinds.insert(kind_of(r));
        std::string kinds_attr;
        for (const auto& k : row_kinds) {
          kinds_attr += (kinds_attr.empty() ? "" : " ") + k;
          kinds.insert(k);
        }
        t << "<tr data-case=\"" << row.case_index << "\" data-failing=\"" << row.failing_variants
          << "\" data-disagree=\"" << (row.disagree ? 1 : 0) << "\" data-kinds=\""
          << html_escape(kinds_attr) << "\"><th scope=\"row\" class=\"l\">"
          << html_text_escape(row.case_id)
          << (row.disagree ? "<br><span class=\"tag\">variants disagree</span>" : "")
          << "</th><td class=\"x\" data-v=\"input\">"
          << html_text_escape(ellipsize(case_input_text(row.messages_json), kExcerpt))
          << "</td><td class=\"x\" data-v=\"reference answer\">"
          << (row.reference.empty() ? "<span class=\"small\">none</span>"
                                    : html_text_escape(ellipsize(row.reference, kExcerpt)))
          << "</td>";
        for (std::size_t i = 0; i < row.cells.size(); ++i)
          write_cell(row.cells[i], i < variants.size() ? variants[i].id : "", row.reference,
                     run.repeats, t);
        t << "</tr>\n";
      });
  close_html_table(t);

  const long long left_out = counts.cases - counts.shown;
  h << "<p>" << plural(counts.cases, "case", "cases") << " &times; "
    << plural(static_cast<long long>(variants.size()), "variant", "variants") << ": "
    << with_thousands(counts.failing) << " failing in some variant, "
    << with_thousands(counts.disagreeing) << " where the variants disagree."
    << (left_out > 0 ? " This file holds " + with_thousands(counts.shown) +
                           " of them: those where the variants disagree first, then those "
                           "failing in the most variants (see the note under the table)."
                     : "")
    << "</p>\n";
  if (counts.shown == 0 && counts.cases == 0) {
    h << "<p>No results yet.</p>\n";
    return;
  }
  h << "<form id=\"grid-filters\" class=\"gf\" hidden aria-controls=\"case-grid\">"
       "<label><input type=\"checkbox\" name=\"failing\"> failing only</label>"
       "<label><input type=\"checkbox\" name=\"disagree\"> variants disagree</label>"
       "<label>failure <select name=\"kind\"><option value=\"\">any</option>";
  for (const auto& k : kinds)
    h << "<option value=\"" << html_escape(k) << "\">" << html_escape(kind_label(k)) << "</option>";
  h << "</select></label><label>search <input type=\"search\" name=\"q\" "
       "placeholder=\"id, input, answer\"></label>"
       "<label>sort <select name=\"sort\"><option value=\"case\">by case</option>"
       "<option value=\"failing\">most failing variants first</option></select></label>"
       "<span id=\"grid-count\" class=\"small\" aria-live=\"polite\"></span></form>\n";
  std::string table = t.str();
  // The table's id, for the script and the form's aria-controls.
  table.replace(table.find("<table>"), 7, "<table id=\"case-grid\" class=\"grid\">");
  h << table;
  if (left_out > 0) {
    const long long failing_left = std::max(0LL, counts.failing - counts.shown);
    h << "<div class=\"banner\" id=\"grid-left-out\">" << plural(left_out, "case", "cases")
      << " left out of this grid"
      << (failing_left == 0
              ? (left_out == 1 ? " (every variant passed it)" : " (every variant passed them)")
          : left_out == 1
              ? " (it fails in some variant)"
              : " (" + with_thousands(failing_left) + " of them failing in some variant)")
      << " \u2014 at most " << with_thousands(max_cases)
      << " cases fit in this file (<code>--max-cases</code>). Every result is in the CSV and "
         "JSON export (<code>run-"
      << run.id << ".csv</code>, <code>run-" << run.id
      << ".json</code>) and in the database:<pre>sqlite3 "
      << html_escape(store.path().filename().string())
      << " \"SELECT c.case_id, r.variant_id, r.repeat, r.conformant, r.failure_kind, r.output"
         " FROM results r JOIN cases c ON c.run_id = r.run_id AND c.case_index = r.case_index"
         " WHERE r.run_id = "
      << run.id << " ORDER BY r.case_index, r.variant_id, r.repeat\"</pre></div>\n";
  }
  h << kScript;
}

}  // namespace tb
