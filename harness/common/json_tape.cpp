#include "common/json_tape.hpp"

#include "common/json_scan.hpp"
#include "common/utf8.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

namespace tb {


// Iterative (an explicit stack of open containers), so nesting depth costs memory, not stack.
class JsonTapeParser {
 public:
  // The scratch vectors are reused from parse to parse (per thread); the tape gets a copy.
  JsonTapeParser(std::string_view text, std::vector<JsonTape::Entry>& entries, std::string& strings,
                 std::size_t max_depth)
      : t_(text), entries_(entries), strings_(strings), max_depth_(max_depth) {
    entries_.clear();
    strings_.clear();
    // Decoded strings are never longer than the text: appends never reallocate.
    strings_.reserve(text.size());
  }

  bool run() {
    if (t_.size() >= std::numeric_limits<std::uint32_t>::max()) {
      return fail("a JSON text of 4 GiB or more is not supported");
    }
    // nlohmann skips a UTF-8 byte order mark at the very start; so do we.
    if (t_.starts_with("\xEF\xBB\xBF")) p_ = 3;
    if (!value()) return false;
    while (!open_.empty()) {
      skip_ws();
      const std::size_t top = open_.back();
      const bool object = entries_[top].kind == JsonTape::Kind::object;
      if (p_ >= t_.size()) return fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
      const char c = t_[p_];
      if (c == ',') {
        ++p_;
        ++entries_[top].size;
        if (object && !key()) return false;
        if (!value()) return false;
      } else if (c == (object ? '}' : ']')) {
        ++p_;
        close(top);
      } else {
        return fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
    skip_ws();
    if (p_ != t_.size()) return fail("expected the end of the input after the JSON value");
    return true;
  }

  const std::string& error() const { return error_; }
  bool duplicate_keys() const { return duplicate_keys_; }

 private:
  bool fail(std::string_view what) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < p_ && i < t_.size(); ++i) {
      if (t_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    error_ = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
    error_ += what;
    if (p_ >= t_.size()) error_ += ", got the end of the input";
    return false;
  }

  void skip_ws() {
    while (p_ < t_.size()) {
      const char c = t_[p_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      ++p_;
    }
  }

  std::size_t add(JsonTape::Kind kind) {
    entries_.push_back({kind, false, 0, 0});
    return entries_.size() - 1;
  }

  // One value; a container is opened (and its first member's key read) and left on open_.
  bool value() {
    for (;;) {
      skip_ws();
      if (p_ >= t_.size()) return fail("expected a JSON value");
      const char c = t_[p_];
      if (c == '[' || c == '{') {
        // Counted as json_nesting_depth counts (an empty container is a level too).
        if (open_.size() >= max_depth_)
          return fail("nested deeper than " + std::to_string(max_depth_) + " levels");
        const bool object = c == '{';
        const std::size_t idx = add(object ? JsonTape::Kind::object : JsonTape::Kind::array);
        ++p_;
        skip_ws();
        if (p_ < t_.size() && t_[p_] == (object ? '}' : ']')) {
          ++p_;
          close_empty(idx);
          return true;
        }
        open_.push_back(idx);
        entries_[idx].size = 1;
        if (object && !key()) return false;
        continue;  // the first item or member value
      }
      return scalar();
    }
  }

  bool key() {
    skip_ws();
    if (p_ >= t_.size() || t_[p_] != '"') return fail("expected a string (an object key)");
    keys_.push_back(static_cast<std::uint32_t>(entries_.size()));
    if (!string()) return false;
    skip_ws();
    if (p_ >= t_.size() || t_[p_] != ':') return fail("expected ':' after an object key");
    ++p_;
    return true;
  }

  void close_empty(std::size_t idx) { entries_[idx].payload = entries_.size(); }

  void close(std::size_t idx) {
    JsonTape::Entry& e = entries_[idx];
    e.payload = entries_.size();
    open_.pop_back();
    if (e.kind != JsonTape::Kind::object) return;
    const std::size_t n = e.size;
    const auto first = keys_.end() - static_cast<std::ptrdiff_t>(n);
    if (!duplicate_keys_ && n > 1) duplicate_keys_ = has_duplicates(first, n);
    keys_.erase(first, keys_.end());
  }

  std::string_view key_string(std::size_t i) const {
    return {strings_.data() + entries_[i].payload, entries_[i].size};
  }

  bool has_duplicates(std::vector<std::uint32_t>::const_iterator first, std::size_t n) const {
    if (n <= 16) {
      for (std::size_t i = 0; i < n; ++i) {
        const std::string_view a = key_string(first[static_cast<std::ptrdiff_t>(i)]);
        for (std::size_t j = i + 1; j < n; ++j) {
          if (a == key_string(first[static_cast<std::ptrdiff_t>(j)])) return true;
        }
      }
      return false;
    }
    std::vector<std::string_view> names;
    names.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      names.push_back(key_string(first[static_cast<std::ptrdiff_t>(i)]));
    }
    std::sort(names.begin(), names.end());
    return std::adjacent_find(names.begin(), names.end()) != names.end();
  }

  bool literal(std::string_view word) {
    if (t_.substr(p_, word.size()) != word) {
      return fail("expected a JSON value (true, false, null, a number, a string, [ or {)");
    }
    p_ += word.size();
    return true;
  }

  bool scalar() {
    switch (t_[p_]) {
      case '"':
        return string();
      case 't':
        add(JsonTape::Kind::boolean);
        entries_.back().boolean = true;
        return literal("true");
      case 'f':
        add(JsonTape::Kind::boolean);
        return literal("false");
      case 'n':
        add(JsonTape::Kind::null);
        return literal("null");
      default:
        return number();
    }
  }

  bool digits() {
    const std::size_t start = p_;
    while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    return p_ > start;
  }

  bool number() {
    const std::size_t start = p_;
    const bool negative = t_[p_] == '-';
    if (negative) ++p_;
    if (p_ >= t_.size() || t_[p_] < '0' || t_[p_] > '9') {
      return fail("expected a JSON value (true, false, null, a number, a string, [ or {)");
    }
    if (t_[p_] == '0') {
      ++p_;
    } else {
      digits();
    }
    bool integral = true;
    if (p_ < t_.size() && t_[p_] == '.') {
      ++p_;
      integral = false;
      if (!digits()) return fail("expected a digit after the decimal point");
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      ++p_;
      integral = false;
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
      if (!digits()) return fail("expected a digit in the exponent");
    }
    const char* first = t_.data() + start;
    const char* last = t_.data() + p_;
    const std::size_t idx = add(JsonTape::Kind::floating);
    JsonTape::Entry& e = entries_[idx];
    if (integral) {
      // As nlohmann: a negative integer as int64, a non-negative one as uint64, when it fits.
      if (negative) {
        std::int64_t v = 0;
        if (std::from_chars(first, last, v).ec == std::errc()) {
          e.kind = JsonTape::Kind::integer;
          e.payload = std::bit_cast<std::uint64_t>(v);
          return true;
        }
      } else {
        std::uint64_t v = 0;
        if (std::from_chars(first, last, v).ec == std::errc()) {
          e.kind = JsonTape::Kind::unsigned_integer;
          e.payload = v;
          return true;
        }
      }
    }
    double d = 0;
    const auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Underflow is a (tiny or zero) number, as strtod gives it; overflow is an error, as in
      // nlohmann ("number overflow").
      const std::string copy(first, last);
      d = std::strtod(copy.c_str(), nullptr);
    } else if (r.ec != std::errc()) {
      return fail("expected a number");
    }
    if (!std::isfinite(d)) {
      p_ = start;
      return fail("number out of the range of a double");
    }
    e.payload = std::bit_cast<std::uint64_t>(d);
    return true;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool hex4(std::uint32_t* out) {
    if (p_ + 4 > t_.size()) return fail("expected four hex digits after \\u");
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const int h = hex(t_[p_ + static_cast<std::size_t>(k)]);
      if (h < 0) return fail("expected four hex digits after \\u");
      v = v << 4 | static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    *out = v;
    return true;
  }

  void put_utf8(std::uint32_t cp) {
    std::string& s = strings_;
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool escape() {
    ++p_;  // the backslash
    if (p_ >= t_.size()) return fail("expected an escape sequence after '\\'");
    const char c = t_[p_++];
    std::string& s = strings_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        s.push_back(c);
        return true;
      case 'b':
        s.push_back('\b');
        return true;
      case 'f':
        s.push_back('\f');
        return true;
      case 'n':
        s.push_back('\n');
        return true;
      case 'r':
        s.push_back('\r');
        return true;
      case 't':
        s.push_back('\t');
        return true;
      case 'u':
        break;
      default:
        --p_;
        return fail("expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
    }
    std::uint32_t cp = 0;
    if (!hex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("a low surrogate \\u escape without a high one");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (p_ + 2 > t_.size() || t_[p_] != '\\' || t_[p_ + 1] != 'u') {
        return fail("a high surrogate \\u escape must be followed by a low one (\\uDC00-\\uDFFF)");
      }
      p_ += 2;
      if (!hex4(&low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) {
        return fail("a high surrogate \\u escape must be followed by a low one (\\uDC00-\\uDFFF)");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(cp);
    return true;
  }

  // One UTF-8 sequence starting at a byte >= 0x80.
  bool utf8() {
    const std::size_t len = utf8_sequence_length(t_, p_);
    if (len == 0) return fail("invalid UTF-8 in a string");
    strings_.append(t_.data() + p_, len);
    p_ += len;
    return true;
  }

  bool string() {
    const std::size_t idx = add(JsonTape::Kind::string);
    ++p_;  // the opening quote
    std::string& s = strings_;
    const std::size_t offset = s.size();
    const auto* u = reinterpret_cast<const unsigned char*>(t_.data());
    const std::size_t n = t_.size();
    for (;;) {
      const std::size_t run = p_;
      p_ = json_plain_run_end<true>(t_.data(), p_, n);
      s.append(t_.data() + run, p_ - run);
      if (p_ >= n) return fail("expected '\"' to close the string");
      const unsigned c = u[p_];
      if (c == '"') {
        ++p_;
        break;
      }
      if (c == '\\') {
        if (!escape()) return false;
      } else if (c < 0x20) {
        return fail("a control character must be escaped in a string");
      } else if (!utf8()) {
        return false;
      }
    }
    JsonTape::Entry& e = entries_[idx];
    e.payload = offset;
    e.size = static_cast<std::uint32_t>(s.size() - offset);
    return true;
  }

  std::string_view t_;
  std::size_t p_ = 0;
  std::vector<JsonTape::Entry>& entries_;
  std::string& strings_;
  std::size_t max_depth_;
  bool duplicate_keys_ = false;
  std::vector<std::size_t> open_;
  std::vector<std::uint32_t> keys_;  // key entries of the open objects, innermost last
  std::string error_;
};

std::optional<JsonTape> JsonTape::parse(std::string_view text, std::string* error,
                                        std::size_t max_depth) {
  thread_local std::vector<Entry> entries;
  thread_local std::string strings;
  JsonTapeParser parser(text, entries, strings, max_depth);
  if (!parser.run()) {
    if (error != nullptr) *error = parser.error();
    return std::nullopt;
  }
  JsonTape tape;
  tape.entries_ = entries.size();
  tape.duplicate_keys_ = parser.duplicate_keys();
  const std::size_t string_entries = (strings.size() + sizeof(Entry) - 1) / sizeof(Entry);
  tape.data_.reserve(entries.size() + string_entries);
  tape.data_.assign(entries.begin(), entries.end());
  if (!strings.empty()) {
    tape.data_.resize(entries.size() + string_entries);
    std::memcpy(reinterpret_cast<char*>(tape.data_.data() + entries.size()), strings.data(),
                strings.size());
  }
  // Scratch that grew for one huge document is not kept for the life of the thread.
  if (entries.capacity() > (1u << 16)) entries = {};
  if (strings.capacity() > (1u << 20)) strings = {};
  return tape;
}

std::int64_t JsonTape::integer(std::size_t i) const {
  return std::bit_cast<std::int64_t>(data_[i].payload);
}

std::uint64_t JsonTape::unsigned_integer(std::size_t i) const {
  return data_[i].payload;
}

double JsonTape::floating(std::size_t i) const {
  return std::bit_cast<double>(data_[i].payload);
}

double JsonTape::number(std::size_t i) const {
  switch (data_[i].kind) {
    case Kind::integer:
      return static_cast<double>(integer(i));
    case Kind::unsigned_integer:
      return static_cast<double>(unsigned_integer(i));
    default:
      return floating(i);
  }
}

std::optional<std::size_t> JsonTape::member(std::size_t i, std::string_view key) const {
  if (data_[i].kind != Kind::object) return std::nullopt;
  std::optional<std::size_t> found;
  const std::size_t end = next(i);
  for (std::size_t k = i + 1; k < end; k = next(k + 1)) {
    if (string(k) == key) found = k + 1;
  }
  return found;
}

std::optional<std::size_t> JsonTape::item(std::size_t i, std::size_t k) const {
  if (data_[i].kind != Kind::array || k >= data_[i].size) return std::nullopt;
  std::size_t at = i + 1;
  for (; k > 0; --k) at = next(at);
  return at;
}

nlohmann::json JsonTape::to_json(std::size_t i) const {
  using json = nlohmann::json;
  struct Frame {
    json* target;
    std::size_t at, end;
    bool object;
  };
  std::vector<Frame> stack;
  // Sets *slot to the value at entry v; a container is filled by the loop below.
  auto place = [&](std::size_t v, json* slot) {
    const Entry& e = data_[v];
    switch (e.kind) {
      case Kind::null:
        *slot = nullptr;
        break;
      case Kind::boolean:
        *slot = e.boolean;
        break;
      case Kind::integer:
        *slot = integer(v);
        break;
      case Kind::unsigned_integer:
        *slot = unsigned_integer(v);
        break;
      case Kind::floating:
        *slot = floating(v);
        break;
      case Kind::string:
        *slot = std::string(string(v));
        break;
      case Kind::array:
      case Kind::object:
        *slot = e.kind == Kind::array ? json::array() : json::object();
        stack.push_back({slot, v + 1, static_cast<std::size_t>(e.payload), e.kind == Kind::object});
        break;
    }
  };
  json root;
  place(i, &root);
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.at >= f.end) {
      stack.pop_back();
      continue;
    }
    json* slot = nullptr;
    std::size_t v = f.at;
    if (f.object) {
      // operator[] keeps the last of duplicate keys, as nlohmann's parser does.
      slot = &(*f.target)[std::string(string(v))];
      ++v;
    } else {
      f.target->push_back(nullptr);
      slot = &f.target->back();
    }
    f.at = next(v);
    place(v, slot);  // may push: f is not used after this
  }
  return root;
}

}  // namespace tb
