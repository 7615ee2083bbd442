// Checkers for the "format" keyword. They run only when formats are asserted (an option or the
// format-assertion vocabulary); otherwise "format" is an annotation and nothing here is called.
// Each checker is a hand-written parser of the grammar its RFC gives: no regex, no allocation.
#include "score/schema/formats.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace tb::schema_detail {

namespace {

enum Format : int {
  kUnknown = 0,
  kDateTime,
  kDate,
  kTime,
  kDuration,
  kEmail,
  kIdnEmail,
  kHostname,
  kIdnHostname,
  kIpv4,
  kIpv6,
  kUri,
  kUriReference,
  kIri,
  kIriReference,
  kUriTemplate,
  kUuid,
  kJsonPointer,
  kRelativeJsonPointer,
};

// Reads exactly n ASCII digits at s[pos] into *value.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int* value) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  *value = v;
  return true;
}

bool is_leap_year(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// RFC 3339 full-date.
bool check_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits(s, 0, 4, &y) || !digits(s, 5, 2, &m) || !digits(s, 8, 2, &d)) return false;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const int max_day = (m == 2 && is_leap_year(y)) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
  return d <= max_day;
}

// RFC 3339 full-time; a leap second is valid only where it falls at 23:59:60 UTC.
bool check_time(std::string_view s) {
  int h = 0, m = 0, sec = 0;
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  if (!digits(s, 0, 2, &h) || !digits(s, 3, 2, &m) || !digits(s, 6, 2, &sec)) return false;
  if (h > 23 || m > 59 || sec > 60) return false;
  std::size_t pos = 8;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    if (pos == start) return false;
  }
  if (pos >= s.size()) return false;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) return false;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (s.size() != pos + 6 || s[pos + 3] != ':') return false;
    if (!digits(s, pos + 1, 2, &oh) || !digits(s, pos + 4, 2, &om)) return false;
    if (oh > 23 || om > 59) return false;
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return false;
  }
  if (sec == 60) {
    const int utc = ((h * 60 + m - offset_minutes) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return false;
  }
  return true;
}

bool check_date_time(std::string_view s) {
  if (s.size() < 11 || (s[10] != 'T' && s[10] != 't')) return false;
  return check_date(s.substr(0, 10)) && check_time(s.substr(11));
}

// RFC 3339 appendix A: units appear in order, without gaps, and weeks stand alone.
bool check_duration(std::string_view s) {
  if (s.size() < 2 || s[0] != 'P') return false;
  std::size_t pos = 1;
  // Reads "<digits><unit>" pairs; returns the units consumed in order.
  auto read_units = [&](std::string_view order, bool* any) {
    std::size_t next = 0;  // index in order the next unit may start from
    bool first = true;
    std::size_t last = 0;
    while (pos < s.size() && s[pos] != 'T') {
      const std::size_t start = pos;
      while (pos < s.size() && is_digit(s[pos])) ++pos;
      if (pos == start || pos >= s.size()) return false;
      const std::size_t unit = order.find(s[pos]);
      if (unit == std::string_view::npos || unit < next) return false;
      if (!first && unit != last + 1) return false;
      first = false;
      last = unit;
      next = unit + 1;
      ++pos;
      *any = true;
    }
    return true;
  };
  bool any_date = false;
  if (pos < s.size() && s[pos] != 'T') {
    // A week duration is a single component.
    std::size_t p = pos;
    while (p < s.size() && is_digit(s[p])) ++p;
    if (p > pos && p + 1 == s.size() && s[p] == 'W') return true;
    if (!read_units("YMD", &any_date)) return false;
  }
  if (pos == s.size()) return any_date;
  if (s[pos] != 'T') return false;
  ++pos;
  bool any_time = false;
  if (!read_units("HMS", &any_time)) return false;
  return any_time && pos == s.size();
}

bool check_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t pos = 0;
  while (true) {
    const std::size_t start = pos;
    int value = 0;
    while (pos < s.size() && is_digit(s[pos]) && pos - start < 4) {
      value = value * 10 + (s[pos] - '0');
      ++pos;
    }
    const std::size_t len = pos - start;
    if (len == 0 || len > 3 || value > 255 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (pos == s.size()) break;
    if (s[pos] != '.' || parts == 4) return false;
    ++pos;
  }
  return parts == 4;
}

// RFC 3492 decoder, used only to reject A-labels that are not valid punycode.
bool punycode_valid(std::string_view in) {
  constexpr std::uint32_t kBase = 36, kTMin = 1, kTMax = 26, kSkew = 38, kDamp = 700;
  std::uint32_t n = 128, i = 0, bias = 72, out = 0;
  std::size_t b = in.rfind('-');
  std::size_t pos = 0;
  if (b != std::string_view::npos) {
    out = static_cast<std::uint32_t>(b);
    pos = b + 1;
  }
  if (pos >= in.size()) return false;  // nothing encoded
  while (pos < in.size()) {
    const std::uint32_t old_i = i;
    std::uint32_t w = 1;
    for (std::uint32_t k = kBase;; k += kBase) {
      if (pos >= in.size()) return false;
      const char c = in[pos++];
      std::uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<std::uint32_t>(c - '0') + 26;
      } else if (c >= 'a' && c <= 'z') {
        digit = static_cast<std::uint32_t>(c - 'a');
      } else if (c >= 'A' && c <= 'Z') {
        digit = static_cast<std::uint32_t>(c - 'A');
      } else {
        return false;
      }
      if (digit > (0x7fffffffu - i) / w) return false;
      i += digit * w;
      const std::uint32_t t = k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
      if (digit < t) break;
      if (w > 0x7fffffffu / (kBase - t)) return false;
      w *= kBase - t;
    }
    ++out;
    std::uint32_t delta = old_i == 0 ? (i - old_i) / kDamp : (i - old_i) / 2;
    delta += delta / out;
    std::uint32_t k = 0;
    while (delta > ((kBase - kTMin) * kTMax) / 2) {
      delta /= kBase - kTMin;
      k += kBase;
    }
    bias = k + (kBase - kTMin + 1) * delta / (delta + kSkew);
    if (i / out > 0x10ffff - n) return false;
    n += i / out;
    i %= out;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return false;
    ++i;
  }
  return true;
}

// The next label separator at or after pos (s.size() if none). IDNA (RFC 3490 3.1) also
// separates labels with the ideographic, fullwidth and halfwidth ideographic full stops.
std::size_t next_separator(std::string_view s, std::size_t pos, bool idn, std::size_t* len) {
  for (std::size_t i = pos; i < s.size(); ++i) {
    if (s[i] == '.') {
      *len = 1;
      return i;
    }
    const std::string_view rest = s.substr(i);
    if (idn && (rest.starts_with("\xe3\x80\x82") || rest.starts_with("\xef\xbc\x8e") ||
                rest.starts_with("\xef\xbd\xa1"))) {
      *len = 3;
      return i;
    }
  }
  *len = 0;
  return s.size();
}

// RFC 1123 host names; non-ASCII labels are accepted only for idn-hostname.
bool check_hostname(std::string_view s, bool idn) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t pos = 0;
  while (true) {
    std::size_t separator_len = 1;
    const std::size_t end = next_separator(s, pos, idn, &separator_len);
    const std::string_view label = s.substr(pos, end - pos);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    bool ascii = true;
    for (char c : label) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x80) {
        if (!idn) return false;
        ascii = false;
      } else if (!is_alpha(c) && !is_digit(c) && c != '-') {
        return false;
      }
    }
    if (ascii && label.size() >= 4 && label[2] == '-' && label[3] == '-') {
      const bool a_label =
          (label[0] == 'x' || label[0] == 'X') && (label[1] == 'n' || label[1] == 'N');
      if (!a_label || !punycode_valid(label.substr(4))) return false;
    }
    if (end == s.size()) return true;
    pos = end + separator_len;
  }
}

bool is_atext(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// RFC 5321 Mailbox: dot-atom or quoted local part, then a host name or an address literal.
bool check_email(std::string_view s, bool idn) {
  std::size_t pos = 0;
  if (!s.empty() && s[0] == '"') {
    pos = 1;
    while (pos < s.size() && s[pos] != '"') {
      if (s[pos] == '\\') ++pos;
      const auto u = pos < s.size() ? static_cast<unsigned char>(s[pos]) : 0;
      if (u < 0x20 && u != '\t') return false;
      ++pos;
    }
    if (pos >= s.size()) return false;
    ++pos;
  } else {
    bool last_dot = true;  // a leading dot is invalid, as is a doubled one
    while (pos < s.size() && s[pos] != '@') {
      const char c = s[pos];
      if (c == '.') {
        if (last_dot) return false;
        last_dot = true;
      } else if (is_atext(c) || (idn && static_cast<unsigned char>(c) >= 0x80)) {
        last_dot = false;
      } else {
        return false;
      }
      ++pos;
    }
    if (last_dot) return false;
  }
  if (pos >= s.size() || s[pos] != '@') return false;
  const std::string_view domain = s.substr(pos + 1);
  if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') {
    const std::string_view literal = domain.substr(1, domain.size() - 2);
    if (literal.starts_with("IPv6:")) return check_ipv6(literal.substr(5));
    return check_ipv4(literal);
  }
  return check_hostname(domain, idn);
}

bool check_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool check_json_pointer(std::string_view s) {
  if (s.empty()) return true;
  if (s[0] != '/') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && (i + 1 >= s.size() || (s[i + 1] != '0' && s[i + 1] != '1'))) return false;
  }
  return true;
}

bool check_relative_json_pointer(std::string_view s) {
  std::size_t pos = 0;
  while (pos < s.size() && is_digit(s[pos])) ++pos;
  if (pos == 0 || (pos > 1 && s[0] == '0')) return false;
  const std::string_view rest = s.substr(pos);
  return rest == "#" || check_json_pointer(rest);
}

}  // namespace

bool check_ipv6(std::string_view s) {
  int groups = 0;
  bool compressed = false;
  std::size_t pos = 0;
  if (s.starts_with("::")) {
    compressed = true;
    pos = 2;
    if (pos == s.size()) return true;
  } else if (s.starts_with(":")) {
    return false;
  }
  while (pos < s.size()) {
    const std::size_t start = pos;
    while (pos < s.size() && is_hex(s[pos])) ++pos;
    if (pos < s.size() && s[pos] == '.') {
      // An embedded IPv4 address takes the last two groups.
      if (!check_ipv4(s.substr(start))) return false;
      groups += 2;
      pos = s.size();
      break;
    }
    const std::size_t len = pos - start;
    if (len == 0 || len > 4) return false;
    ++groups;
    if (pos == s.size()) break;
    if (s[pos] != ':') return false;
    ++pos;
    if (pos < s.size() && s[pos] == ':') {
      if (compressed) return false;
      compressed = true;
      ++pos;
      if (pos == s.size()) break;
    } else if (pos == s.size()) {
      return false;  // a trailing single colon
    }
  }
  return compressed ? groups < 8 : groups == 8;
}

int format_id(std::string_view name) {
  struct Entry {
    std::string_view name;
    Format id;
  };
  static constexpr Entry kFormats[] = {
      {"date-time", kDateTime},
      {"date", kDate},
      {"time", kTime},
      {"duration", kDuration},
      {"email", kEmail},
      {"idn-email", kIdnEmail},
      {"hostname", kHostname},
      {"idn-hostname", kIdnHostname},
      {"ipv4", kIpv4},
      {"ipv6", kIpv6},
      {"uri", kUri},
      {"uri-reference", kUriReference},
      {"iri", kIri},
      {"iri-reference", kIriReference},
      {"uri-template", kUriTemplate},
      {"uuid", kUuid},
      {"json-pointer", kJsonPointer},
      {"relative-json-pointer", kRelativeJsonPointer},
  };
  for (const Entry& e : kFormats) {
    if (e.name == name) return e.id;
  }
  return kUnknown;
}

bool check_format(int id, std::string_view s) {
  switch (id) {
    case kDateTime:
      return check_date_time(s);
    case kDate:
      return check_date(s);
    case kTime:
      return check_time(s);
    case kDuration:
      return check_duration(s);
    case kEmail:
      return check_email(s, false);
    case kIdnEmail:
      return check_email(s, true);
    case kHostname:
      return check_hostname(s, false);
    case kIdnHostname:
      return check_hostname(s, true);
    case kIpv4:
      return check_ipv4(s);
    case kIpv6:
      return check_ipv6(s);
    case kUri:
      return check_uri_like(s, true, false);
    case kUriReference:
      return check_uri_like(s, false, false);
    case kIri:
      return check_uri_like(s, true, true);
    case kIriReference:
      return check_uri_like(s, false, true);
    case kUriTemplate:
      return check_uri_template(s);
    case kUuid:
      return check_uuid(s);
    case kJsonPointer:
      return check_json_pointer(s);
    case kRelativeJsonPointer:
      return check_relative_json_pointer(s);
    default:
      return true;
  }
}

}  // namespace tb::schema_detail
