#pragma once
// One case of a run across its variants: the rows of the HTML report's case grid, read by
// Store::for_each_case_row (store/case_grid_reader.cpp) one case at a time.
#include <string>
#include <vector>

#include "store/records.hpp"

namespace tb {

// One result of a case in one variant (one repeat), with what the grid shows of it.
struct CaseGridResult {
  int repeat = 0;
  bool passed = false;  // an answer came back and it passed every required check
  std::string status;   // ok or error
  std::string error_class;
  std::string error_message;
  std::string failure_kind;  // none, not_json, fenced, ... (the failure taxonomy)
  std::string output;
  long long prompt_tokens = -1;  // -1: unknown (the API gave no usage)
  long long completion_tokens = -1;
  double latency_ms = 0;
  double cost_usd = 0;
  std::vector<CheckRecord> checks;  // in the suite's order
};

// A case's results in one variant, repeats folded together in repeat order.
struct CaseGridCell {
  std::vector<CaseGridResult> results;  // empty: the run stored no result of it (yet)

  int passed() const {
    int k = 0;
    for (const auto& r : results) k += r.passed ? 1 : 0;
    return k;
  }
  bool failing() const { return passed() < static_cast<int>(results.size()); }
};

// A case with one cell per variant, in the variants' order (Store::variants).
struct CaseGridRow {
  long long case_index = 0;
  std::string case_id;
  std::string messages_json;  // the case's messages as stored
  std::string reference;
  std::vector<CaseGridCell> cells;
  int failing_variants = 0;  // cells with a result that did not pass
  // The cells that have results are not all alike: some pass every repeat while others fail
  // some, or some fail every repeat while others pass some.
  bool disagree = false;
};

// What a read saw of the whole run, to say what the grid left out.
struct CaseGridCounts {
  long long cases = 0;        // cases with at least one result
  long long failing = 0;      // of them, with a failing result in some variant
  long long disagreeing = 0;  // of them, where the variants disagree
  long long shown = 0;        // rows handed to the callback
};

}  // namespace tb
