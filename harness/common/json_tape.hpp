#pragma once
// A JSON document parsed into one flat vector of entries plus one buffer of string bytes.
//
// The hot paths (a model output checked against a schema for every result; 100,000s of them per
// run) only read the document once, and nlohmann::json's tree (one allocation per value, a
// std::map per object) costs more to build and walk than the checks themselves. A tape is built
// with two allocations that grow and is read in document order.
//
// It accepts exactly what nlohmann::json::parse accepts (RFC 8259, UTF-8 checked, no comments)
// and keeps numbers as nlohmann does: non-negative integers as unsigned, negative as signed,
// anything else (or out of 64-bit range) as double. to_json() gives the same value that
// nlohmann::json::parse gives for the same text. Unlike nlohmann, it refuses values nested
// deeper than a limit (kMaxJsonDepth unless told): a tape becomes a tree that others walk.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/json_depth.hpp"

namespace tb {

class JsonTape {
 public:
  enum class Kind : std::uint8_t {
    null,
    boolean,
    integer,
    unsigned_integer,
    floating,
    string,
    array,
    object
  };

  // A container is followed by its contents, objects as key (a string entry), value, key, ...
  struct Entry {
    Kind kind = Kind::null;
    bool boolean = false;
    std::uint32_t size = 0;     // string: bytes; array: items; object: members
    std::uint64_t payload = 0;  // string: offset in strings_; container: index past its end;
                                // number: the bits of its int64, uint64 or double
  };

  // nullopt for text that is not one JSON value, or one with arrays and objects nested deeper
  // than max_depth; *error (if given) says where and what.
  static std::optional<JsonTape> parse(std::string_view text, std::string* error = nullptr,
                                       std::size_t max_depth = kMaxJsonDepth);

  const Entry& operator[](std::size_t i) const { return data_[i]; }
  std::size_t size() const { return entries_; }
  // The entry after value i and everything inside it: its next sibling, if any.
  std::size_t next(std::size_t i) const {
    const Entry& e = data_[i];
    return e.kind == Kind::array || e.kind == Kind::object ? static_cast<std::size_t>(e.payload)
                                                           : i + 1;
  }
  std::string_view string(std::size_t i) const {
    const Entry& e = data_[i];
    return {reinterpret_cast<const char*>(data_.data() + entries_) + e.payload, e.size};
  }
  std::int64_t integer(std::size_t i) const;
  std::uint64_t unsigned_integer(std::size_t i) const;
  double floating(std::size_t i) const;
  double number(std::size_t i) const;  // any of the three number kinds, as double

  // The value of member `key` of the object at entry i (the last one, as nlohmann keeps it), or
  // nullopt when i is not an object or has no such member.
  std::optional<std::size_t> member(std::size_t i, std::string_view key) const;
  // The k-th item of the array at entry i, or nullopt.
  std::optional<std::size_t> item(std::size_t i, std::size_t k) const;
  bool is(std::size_t i, Kind kind) const { return data_[i].kind == kind; }
  bool is_number(std::size_t i) const {
    const Kind k = data_[i].kind;
    return k == Kind::integer || k == Kind::unsigned_integer || k == Kind::floating;
  }

  // An object with the same key twice: nlohmann (and JSON.parse) keep the last value.
  bool has_duplicate_keys() const { return duplicate_keys_; }

  // The value at entry i as nlohmann::json (iterative: any depth).
  nlohmann::json to_json(std::size_t i = 0) const;

 private:
  friend class JsonTapeParser;
  // One exact-size block: the entries, then the bytes of every string. Validating many stored
  // tapes is bound by memory latency, so one compact block per document is what makes it fast.
  std::vector<Entry> data_;
  std::size_t entries_ = 0;
  bool duplicate_keys_ = false;
};

}  // namespace tb
