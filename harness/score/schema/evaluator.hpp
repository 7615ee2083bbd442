#pragma once
// The JSON Schema evaluator on nlohmann::json instances: every keyword, the verdict and, when
// asked, every violation. Internal to the JSON Schema engine (score/schema/).
//
// Evaluation walks nodes recursively with the instance. Annotations needed by unevaluated* are
// collected only when an enclosing schema asks for them (the `ann` pointer is null otherwise).
// The member functions are spread by keyword group: evaluator.cpp (the node, type, enum,
// const, numbers, strings), evaluator_applicators.cpp ($ref, $dynamicRef, allOf, anyOf, oneOf,
// not, if/then/else, dependentSchemas, unevaluated*) and evaluator_containers.cpp (arrays and
// objects).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/json_schema.hpp"
#include "score/schema/messages.hpp"
#include "score/schema/program.hpp"

namespace tb::schema_detail {

// Locations are linked lists on the C++ stack, turned into strings only for a violation.
struct PathSeg {
  const PathSeg* parent;
  std::string_view name;
  std::size_t index;
  bool is_index;
};

// The JSON Pointer a location stands for.
std::string render(const PathSeg* p);

// The dynamic scope: schema resources entered on the way to the current node, innermost first.
struct Scope {
  std::uint32_t resource;
  const Scope* parent;
};

struct Ctx {
  const Scope* scope;
  const PathSeg* ipath;  // instance location
  const PathSeg* spath;  // evaluation path of the current schema
  std::size_t depth;     // evaluation frames
  std::size_t idepth;    // instance nesting
};

// Which instance members (by position) or items have been evaluated, for unevaluated*.
class Evaluated {
 public:
  void mark(std::size_t i) {
    if (i < 128) {
      small_[i >> 6] |= std::uint64_t{1} << (i & 63);
      return;
    }
    const std::size_t word = (i - 128) >> 6;
    if (word >= big_.size()) big_.resize(word + 1);
    big_[word] |= std::uint64_t{1} << ((i - 128) & 63);
  }
  void mark_all() { all_ = true; }
  bool test(std::size_t i) const {
    if (all_) return true;
    if (i < 128) return (small_[i >> 6] >> (i & 63)) & 1;
    const std::size_t word = (i - 128) >> 6;
    return word < big_.size() && ((big_[word] >> ((i - 128) & 63)) & 1);
  }
  void merge(const Evaluated& o) {
    all_ = all_ || o.all_;
    small_[0] |= o.small_[0];
    small_[1] |= o.small_[1];
    if (big_.size() < o.big_.size()) big_.resize(o.big_.size());
    for (std::size_t w = 0; w < o.big_.size(); ++w) big_[w] |= o.big_[w];
  }

 private:
  bool all_ = false;
  std::uint64_t small_[2] = {0, 0};
  std::vector<std::uint64_t> big_;  // allocates only past 128 members
};

class Evaluator {
 public:
  // Collects violations into *out, or only decides (first failure ends it) when out is null.
  Evaluator(const Program& program, std::vector<SchemaViolation>* out) : p_(program), out_(out) {}

  bool run(const json& instance);

 private:
  // Evaluates quietly (no violations, first failure ends it) for applicators whose subschema
  // failures are not failures of the instance: anyOf, oneOf, not, if, contains.
  class Quiet {
   public:
    explicit Quiet(Evaluator* e) : e_(e), saved_(e->out_) { e->out_ = nullptr; }
    ~Quiet() { e_->out_ = saved_; }
    Quiet(const Quiet&) = delete;
    Quiet& operator=(const Quiet&) = delete;

   private:
    Evaluator* e_;
    std::vector<SchemaViolation>* saved_;
  };

  bool collecting() const { return out_ != nullptr; }

  // A violation of `keyword` whose location is spath itself (a false subschema, a depth limit).
  // Out of line and cold: message building must not grow the frames of the recursive path.
  template <typename MessageFn>
  [[gnu::noinline, gnu::cold]] void report_at(const PathSeg* ipath, const PathSeg* spath,
                                              std::string_view keyword, MessageFn&& message) {
    if (out_ == nullptr) return;
    out_->push_back(
        {render(ipath), short_location(render(spath)), std::string(keyword), message()});
  }

  // A violation of `keyword` in the schema at spath.
  template <typename MessageFn>
  [[gnu::noinline, gnu::cold]] void report(const PathSeg* ipath, const PathSeg* spath,
                                           std::string_view keyword, MessageFn&& message) {
    if (out_ == nullptr) return;
    const PathSeg kw{spath, keyword, 0, false};
    report_at(ipath, &kw, keyword, message);
  }

  static PathSeg key_seg(const PathSeg* parent, std::string_view name) {
    return PathSeg{parent, name, 0, false};
  }
  static PathSeg index_seg(const PathSeg* parent, std::size_t i) {
    return PathSeg{parent, {}, i, true};
  }

  // Applies a subschema to a member/item with a message naming the keyword when it is `false`.
  template <typename MessageFn>
  bool apply(std::int32_t node, const json& x, const Ctx& c, const PathSeg* ipath,
             const PathSeg* spath, std::string_view keyword, MessageFn&& false_message) {
    const Node& n = p_.nodes[static_cast<std::size_t>(node)];
    if (n.kind == Node::Kind::kFalse) {
      report_at(ipath, spath, keyword, false_message);
      return false;
    }
    const Ctx sub{c.scope, ipath, spath, c.depth, c.idepth + 1};
    return eval(node, x, sub, nullptr);
  }

  // The node, type, enum, const, numbers and strings (evaluator.cpp).
  bool eval(std::int32_t idx, const json& x, const Ctx& c_in, Evaluated* ann);
  bool keywords(const Node& n, const json& x, const Ctx& c, Evaluated* a);
  static bool in_enum(const Node& n, const json& x);
  static bool type_ok(std::uint8_t types, const json& x);
  static std::string type_message(std::uint8_t types, const json& x);
  bool check_number(const Node& n, const json& x, const Ctx& c);
  static bool multiple_ok(const Node& n, const json& x, double d);
  bool check_string(const Node& n, const std::string& s, const Ctx& c);

  // In-place applicators and unevaluated* (evaluator_applicators.cpp). Applicators whose
  // branches need temporaries live out of line, so that the frames of the common path (and of
  // deep recursion through it) stay small.
  bool inplace(const Node& n, const json& x, const Ctx& c, Evaluated* a);
  [[gnu::noinline]] bool check_any_of(const Node& n, const json& x, const Ctx& c, Evaluated* a);
  [[gnu::noinline]] bool check_one_of(const Node& n, const json& x, const Ctx& c, Evaluated* a);
  [[gnu::noinline]] bool check_not(const Node& n, const json& x, const Ctx& c);
  [[gnu::noinline]] bool check_if(const Node& n, const json& x, const Ctx& c, Evaluated* a);
  bool unevaluated(const Node& n, const json& x, const Ctx& c, Evaluated* local);

  // Arrays and objects (evaluator_containers.cpp).
  bool check_array(const Node& n, const json& x, const Ctx& c, Evaluated* a);
  static bool unique(const json& x, std::size_t* dup_a, std::size_t* dup_b);
  bool check_object(const Node& n, const json& x, const Ctx& c, Evaluated* a);

  const Program& p_;
  std::vector<SchemaViolation>* out_;
};

}  // namespace tb::schema_detail
