// A variant's `models:` or `checkpoints:`: the models a sweep expands it into
// (suite/model_sweep.hpp).
#include <set>

#include "common/files.hpp"
#include "common/text.hpp"
#include "suite/model_sweep.hpp"
#include "suite/suite_sections.hpp"

namespace tb {

namespace {

std::vector<SweepModel> read_models_list(FieldReader& r, const FieldReader::At& v) {
  const auto at = v.child("models");
  if (!at.value.is_array() || at.value.empty()) {
    r.error(
        at,
        std::string(
            "expected a non-empty list of model ids, such as [gpt-4o-mini, gpt-4.1-nano]; got ") +
            (at.value.is_array() ? "an empty list" : json_type_name(at.value)));
    return {};
  }
  std::vector<SweepModel> out;
  std::set<std::string> models, labels;
  for (std::size_t i = 0; i < at.value.size(); ++i) {
    const auto item = at.item(i);
    if (!item.value.is_string() || item.value.get<std::string>().empty()) {
      r.error(item, std::string("expected a model id (a non-empty string); got ") +
                        json_type_name(item.value));
      continue;
    }
    SweepModel m;
    m.model = item.value.get<std::string>();
    m.step = checkpoint_step_of(m.model);
    if (!models.insert(m.model).second) {
      r.error(item, dquote(m.model) + " is listed twice");
      continue;
    }
    if (!labels.insert(sweep_label(m)).second) {
      r.error(item,
              dquote(m.model) + " names step " + std::to_string(*m.step) +
                  " as another model of the list does; a sweep names its variants by step, so "
                  "put models of different trainings in different variants");
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::optional<std::vector<SweepModel>> read_variant_sweep(FieldReader& r, const FieldReader::At& v,
                                                          const Suite& suite) {
  const bool list = v.value.contains("models"), file = v.value.contains("checkpoints");
  if (!list && !file) return std::nullopt;
  const std::size_t before = r.error_count();
  if (list && file)
    r.error(v.child("checkpoints"),
            "give either models (a list) or checkpoints (a file), not both");
  if (v.value.contains("model"))
    r.error(v.child("model"), std::string("give either model or ") +
                                  (list ? "models" : "checkpoints") +
                                  ": a sweep runs the variant once per model it lists");
  if (r.error_count() != before) return std::vector<SweepModel>{};
  if (list) return read_models_list(r, v);
  const auto name = r.string(v, "checkpoints", true);
  if (!name) return std::vector<SweepModel>{};
  const auto path = resolve_relative(suite.file, *name);
  if (auto problem = file_read_problem(path)) {
    r.error(v.child("checkpoints"), *problem);
    return std::vector<SweepModel>{};
  }
  Diagnostics errors;
  auto models = read_checkpoints_file(path, display_path(suite, *name), errors);
  // The file's own problems, each at its file:line, after the suite's line that names it.
  if (!models) {
    r.error(v.child("checkpoints"), "the checkpoints file has problems (below)");
    for (const auto& d : errors.items()) r.add(d);
    return std::vector<SweepModel>{};
  }
  return *models;
}

}  // namespace tb
