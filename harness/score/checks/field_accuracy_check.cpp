#include <cmath>
#include <optional>

#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

// Field-level accuracy against the reference answer: of the reference's leaf values (scalars,
// and empty arrays/objects), the share the answer reproduces at the same JSON Pointer. Partial
// credit is the point: an extraction that gets 9 fields of 10 right scores 0.9, where equals
// scores 0.
class FieldAccuracyCheck final : public Check {
 public:
  struct Field {
    json::json_pointer pointer;
    std::string text;
  };

  FieldAccuracyCheck(std::vector<Field> fields, double threshold, double tolerance)
      : fields_(std::move(fields)), threshold_(threshold), tolerance_(tolerance) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    if (!in.has_reference) return {false, 0, "the case has no reference answer to compare with"};
    if (in.reference_json() == nullptr) return {false, 0, in.reference_not_json()};
    if (in.output_json() == nullptr) return {false, 0, in.output_not_json()};
    Tally tally;
    if (fields_.empty()) {
      walk(*in.reference_json(), in.output_json(), "", tally);
    } else {
      for (const auto& f : fields_) {
        // A field the reference lacks is not asked of this case.
        if (!in.reference_json()->contains(f.pointer)) continue;
        const json* out =
            in.output_json()->contains(f.pointer) ? &in.output_json()->at(f.pointer) : nullptr;
        walk(in.reference_json()->at(f.pointer), out, f.text, tally);
      }
    }
    if (tally.total == 0) return {false, 0, "the reference answer has none of the fields"};
    const double share = static_cast<double>(tally.matched) / static_cast<double>(tally.total);
    std::string detail =
        std::to_string(tally.matched) + "/" + std::to_string(tally.total) + " fields match";
    if (tally.matched < tally.total) {
      detail += "; first mismatch " + (tally.first_miss.empty() ? "/" : tally.first_miss);
    }
    return {share >= threshold_, share, detail};
  }

 private:
  struct Tally {
    std::size_t matched = 0;
    std::size_t total = 0;
    std::string first_miss;
  };

  // Iterative: the reference may be as deep as the parser allowed.
  void walk(const json& ref_root, const json* out_root, std::string path_root, Tally& tally) const {
    struct Item {
      const json* ref;
      const json* out;  // null: the answer has nothing at this path
      std::string path;
    };
    std::vector<Item> stack{{&ref_root, out_root, std::move(path_root)}};
    while (!stack.empty()) {
      Item item = std::move(stack.back());
      stack.pop_back();
      const json& ref = *item.ref;
      if (ref.is_object() && !ref.empty()) {
        // Reverse, so that fields are visited (and the first mismatch named) in document order.
        for (auto it = ref.rbegin(); it != ref.rend(); ++it) {
          const json* out = nullptr;
          if (item.out != nullptr && item.out->is_object()) {
            const auto found = item.out->find(it.key());
            if (found != item.out->end()) out = &*found;
          }
          stack.push_back({&it.value(), out, item.path + "/" + json_pointer_escape(it.key())});
        }
      } else if (ref.is_array() && !ref.empty()) {
        for (std::size_t i = ref.size(); i-- > 0;) {
          const json* out = nullptr;
          if (item.out != nullptr && item.out->is_array() && i < item.out->size())
            out = &(*item.out)[i];
          stack.push_back({&ref[i], out, item.path + "/" + std::to_string(i)});
        }
      } else {
        ++tally.total;
        if (item.out != nullptr && same(*item.out, ref)) {
          ++tally.matched;
        } else if (tally.first_miss.empty()) {
          tally.first_miss = item.path.empty() ? "/" : item.path;
        }
      }
    }
  }

  bool same(const json& a, const json& b) const {
    if (tolerance_ > 0 && a.is_number() && b.is_number())
      return std::fabs(a.get<double>() - b.get<double>()) <= tolerance_;
    return a == b;
  }

  std::vector<Field> fields_;  // empty: every leaf of the reference
  double threshold_;
  double tolerance_;
};

}  // namespace

std::shared_ptr<Check> make_field_accuracy_check(const nlohmann::json& spec, const CheckContext&,
                                                 std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"threshold", "fields", "tolerance"})) return nullptr;
  const auto threshold = read_share(s, "threshold", 1.0);
  const auto tolerance = s.number("tolerance", false);
  if (!threshold || !error.empty()) return nullptr;
  if (tolerance && *tolerance < 0) {
    s.fail("tolerance: expected a number >= 0");
    return nullptr;
  }
  const auto pointers = s.pointer_list("fields", "/term");
  if (!pointers) return nullptr;
  std::vector<FieldAccuracyCheck::Field> fields;
  for (auto& [pointer, text] : *pointers) fields.push_back({pointer, text});
  return std::make_shared<FieldAccuracyCheck>(std::move(fields), *threshold,
                                              tolerance.value_or(0.0));
}

}  // namespace tb
