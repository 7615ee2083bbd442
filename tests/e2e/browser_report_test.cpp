// The HTML report in a real browser: Debian's chromium, headless, renders the demo's report at a
// desktop (1400x900) and a phone (390x844) size. Headless chromium will not make a window
// narrower than 500 px, so the report is shown in an <iframe> of the size under test (its
// viewport: media queries and innerWidth are the frame's). A probe script appended to a copy of
// the report measures the page and posts the facts to the frame's parent, which writes them into
// its DOM; --dump-dom prints it once the scripts ran: nothing is wider than the viewport (with a
// cell of the case grid opened), every chart's SVG is there with a size, and the case grid's
// "failing only" filter hides exactly the cases the database says every variant passed. Screenshots
// of the report (the viewport and the whole page) go to report-screenshots/ in the build folder for
// a person to look at. Needs chromium (scripts/setup installs it): without it the test fails.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/wait.h>
#include <algorithm>
#include <cstdio>
#include <regex>
#include <tuple>

#include "e2e/cli.hpp"
#include "e2e/process.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

std::string shell(const std::string& command, int* exit_code = nullptr) {
  std::string out;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  if (exit_code != nullptr) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    std::string path = shell(std::string("command -v ") + name);
    while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
    if (!path.empty()) return path;
  }
  return {};
}

// Root in CI needs --no-sandbox; a fresh profile per run keeps runs apart; a time budget stops
// a hung renderer.
std::string chromium_command(const std::string& chromium, const std::filesystem::path& profile,
                             int width, int height) {
  return "timeout 60 '" + chromium +
         "' --headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run "
         "--disable-extensions --user-data-dir='" +
         profile.string() + "' --window-size=" + std::to_string(width) + "," +
         std::to_string(height) + " ";
}

// Measures the rendered page and writes one line per fact into <pre id="probe">.
constexpr const char* kProbe = R"js(<script>
(function(){
  var d=document.documentElement, out=[];
  /* an opened cell of the case grid must not widen the page either */
  var cell=document.querySelector('#case-grid td.c-fail details');
  if(cell) cell.open=true;
  out.push('viewport '+window.innerWidth);
  out.push('scrollWidth '+d.scrollWidth);
  out.push('scrollHeight '+d.scrollHeight);
  var wide=[];
  document.querySelectorAll('body *').forEach(function(e){
    var r=e.getBoundingClientRect();
    if(r.width===0&&r.height===0) return;
    /* inside a scrolling wrapper an element may be wider: the wrapper scrolls, the page does not */
    for(var p=e.parentElement;p;p=p.parentElement){var s=getComputedStyle(p).overflowX;if(s==='auto'||s==='scroll')return;}
    if(r.right>window.innerWidth+0.5||r.left<-0.5) wide.push(e.tagName+(e.id?'#'+e.id:'')+(e.className&&e.className.baseVal===undefined?'.'+e.className:''));
  });
  out.push('overflowing '+wide.length+' '+wide.slice(0,5).join(','));
  document.querySelectorAll('svg.chart').forEach(function(s){
    var r=s.getBoundingClientRect();
    out.push('chart '+s.id+' '+Math.round(r.width)+' '+Math.round(r.height));
  });
  /* the case grid's "failing only" filter, as a click would set it */
  var f=document.getElementById('grid-filters'), rows=document.querySelectorAll('#case-grid tbody tr');
  out.push('grid rows '+rows.length);
  out.push('grid filters '+(f&&!f.hidden?'shown':'hidden'));
  if(f){
    f.elements.failing.checked=true;
    f.elements.failing.dispatchEvent(new Event('change',{bubbles:true}));
    var shown=0, hidden=[];
    rows.forEach(function(r){
      if(r.getClientRects().length>0) shown++; else hidden.push(r.cells[0].firstChild.textContent);
    });
    out.push('failing-only shown '+shown);
    out.push('failing-only hidden '+hidden.length);
    out.push('failing-only hidden-ids '+hidden.sort().join(','));
    out.push('grid count-text '+document.getElementById('grid-count').textContent);
    f.elements.failing.checked=false;
    f.elements.failing.dispatchEvent(new Event('change',{bubbles:true}));
    var back=0; rows.forEach(function(r){ if(r.getClientRects().length>0) back++; });
    out.push('unfiltered shown '+back);
  }
  parent.postMessage('\n'+out.join('\n')+'\n','*');
})();
</script>)js";

// A page showing `src` in a frame of the size under test (grey around it: the device's edge).
std::string frame_page(const std::string& src, int width, long long height, bool probe) {
  return "<!DOCTYPE html><html><body style=\"margin:0;background:#9aa0a6\">" +
         std::string(probe ? "<pre id=\"probe\"></pre>" : "") + "<iframe src=\"" + src +
         "\" style=\"display:block;border:0;background:#fff;width:" + std::to_string(width) +
         "px;height:" + std::to_string(height) + "px\"></iframe>" +
         (probe ? "<script>addEventListener('message',function(e){"
                  "document.getElementById('probe').textContent=e.data;});</script>"
                : "") +
         "</body></html>";
}

long long fact(const std::string& probe, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(probe, m, std::regex("\n" + name + " (-?[0-9]+)"))) return -1;
  return std::stoll(m[1]);
}

}  // namespace

TEST_CASE("the demo's HTML report holds its layout in a real browser at 1400 and 390 px",
          "[e2e][report][browser]") {
  const std::string chromium = find_chromium();
  INFO(
      "chromium is not installed: run scripts/setup (it installs Debian's chromium), "
      "or apt-get install chromium");
  REQUIRE(!chromium.empty());

  test::TempDir dir;
  const std::string demo = (test::source_dir() / "suites/demo.yaml").string();
  const auto run =
      test::tunebench("run '" + demo + "' --db t.db --out out --quiet", dir.path().string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto report = dir / "out/run-1.html";
  const std::string html = test::read_text(report);
  REQUIRE(html.find("</body>") != std::string::npos);
  // The charts the report promises: the demo has answers, prompts and failures for all five.
  const std::vector<std::string> charts{"chart-conformance", "chart-cost", "chart-latency",
                                        "chart-prompt", "chart-failures"};
  for (const auto& id : charts) CHECK(html.find("id=\"" + id + "\"") != std::string::npos);
  // Self-contained: nothing fetched from anywhere.
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("href=\"http") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);

  // Which cases every variant passed, from the database: what "failing only" must hide.
  std::vector<std::string> passing, failing;
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((dir / "t.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
            SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    REQUIRE(
        sqlite3_prepare_v2(db,
                           "SELECT c.case_id, min(r.status = 'ok' AND r.conformant) FROM results r"
                           " JOIN cases c ON c.run_id = r.run_id AND c.case_index = r.case_index"
                           " WHERE r.run_id = 1 GROUP BY r.case_index ORDER BY c.case_id",
                           -1, &q, nullptr) == SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW)
      (sqlite3_column_int(q, 1) != 0 ? passing : failing)
          .emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
    sqlite3_finalize(q);
    sqlite3_close(db);
  }
  REQUIRE(!passing.empty());  // the demo has both, or the filter would show nothing of itself
  REQUIRE(!failing.empty());
  CHECK(html.find("id=\"case-grid\"") != std::string::npos);

  std::string probed = html;
  probed.insert(probed.rfind("</body>"), kProbe);
  const auto probe_page = dir / "out/probe.html";
  test::write_text(probe_page, probed);

  const auto shots = std::filesystem::current_path() / "report-screenshots";
  std::filesystem::create_directories(shots);
  for (const auto& [width, height] : {std::pair{1400, 900}, std::pair{390, 844}}) {
    const std::string size = std::to_string(width);
    INFO("viewport " << width << "x" << height);
    const auto frame = dir / ("out/frame-" + size + ".html");
    test::write_text(frame, frame_page("probe.html", width, height, true));
    int code = -1;
    // The virtual time budget lets the frame load and its message arrive before the dump.
    const std::string dom =
        shell(chromium_command(chromium, dir / ("profile-" + size), std::max(width, 500) + 20,
                               height + 40) +
                  "--virtual-time-budget=10000 --dump-dom 'file://" + frame.string() + "'",
              &code);
    REQUIRE(code == 0);
    const auto at = dom.find("<pre id=\"probe\">");
    REQUIRE(at != std::string::npos);
    const std::string probe = dom.substr(at, dom.find("</pre>", at) - at);
    INFO(probe);
    REQUIRE(fact(probe, "viewport") == width);  // the probe ran: scripts work from file://
    // Nothing wider than the page: tables scroll inside their wrappers, charts scale down.
    CHECK(fact(probe, "scrollWidth") <= width);
    CHECK(fact(probe, "overflowing") == 0);
    // The case grid: a row per case; "failing only" hides exactly the cases every variant
    // passed, as the database says, and unticking it shows them again.
    CHECK(fact(probe, "grid rows") == static_cast<long long>(passing.size() + failing.size()));
    CHECK(probe.find("\ngrid filters shown") != std::string::npos);
    CHECK(fact(probe, "failing-only shown") == static_cast<long long>(failing.size()));
    CHECK(fact(probe, "failing-only hidden") == static_cast<long long>(passing.size()));
    std::string hidden_ids;
    for (const auto& id : passing) hidden_ids += (hidden_ids.empty() ? "" : ",") + id;
    CHECK(probe.find("\nfailing-only hidden-ids " + hidden_ids + "\n") != std::string::npos);
    CHECK(probe.find("\ngrid count-text " + std::to_string(failing.size()) + " of " +
                     std::to_string(passing.size() + failing.size()) + " cases shown") !=
          std::string::npos);
    CHECK(fact(probe, "unfiltered shown") ==
          static_cast<long long>(passing.size() + failing.size()));
    for (const auto& id : charts) {
      std::smatch m;
      REQUIRE(std::regex_search(probe, m, std::regex("\nchart " + id + " ([0-9]+) ([0-9]+)")));
      CHECK(std::stoi(m[1]) > 100);
      CHECK(std::stoi(m[2]) > 50);
      CHECK(std::stoi(m[1]) <= width);
    }

    // Screenshots for a person: what the window shows, the whole page, and the case grid with
    // its first failing cell opened (in a copy of the report).
    const long long page_height = std::clamp<long long>(fact(probe, "scrollHeight"), height, 30000);
    std::string opened = html;
    const auto failing_cell = opened.find("<details>", opened.find("<td class=\"c c-fail\""));
    REQUIRE(failing_cell != std::string::npos);
    opened.insert(failing_cell + std::string("<details").size(), " open");
    test::write_text(dir / "out/grid-open.html", opened);
    for (const auto& [name, h, src] :
         {std::tuple{"report-" + size + ".png", static_cast<long long>(height), "run-1.html"},
          std::tuple{"report-" + size + "-full.png", page_height, "run-1.html"},
          std::tuple{"report-" + size + "-grid.png", static_cast<long long>(height),
                     "grid-open.html#cases"}}) {
      const auto png = shots / name;
      const auto shot_page = dir / ("out/shot-" + name + ".html");
      test::write_text(shot_page, frame_page(src, width, h, false));
      std::filesystem::remove(png);
      shell(chromium_command(chromium, dir / ("shot-" + name), std::max(width, 500),
                             static_cast<int>(h)) +
            "--virtual-time-budget=5000 --screenshot='" + png.string() + "' 'file://" +
            shot_page.string() + "'");
      INFO(png.string());
      CHECK(std::filesystem::exists(png));
      if (std::filesystem::exists(png)) CHECK(std::filesystem::file_size(png) > 10000);
    }
  }
}
