// Checkers for the "format" keyword of URIs, IRIs (RFC 3986 / RFC 3987) and URI templates
// (RFC 6570), hand-written parsers of their grammars like the other formats (formats.cpp).
#include <string_view>

#include "score/schema/formats.hpp"

namespace tb::schema_detail {

namespace {

bool is_unreserved(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(char c) {
  return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

// Checks that every character of s is allowed: unreserved, sub-delims, the extra set, %HH, and
// for IRIs any non-ASCII byte (ucschar; the exact ranges matter little in practice).
bool check_chars(std::string_view s, std::string_view extra, bool iri) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      if (!iri) return false;
    } else if (!is_unreserved(c) && !is_sub_delim(c) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool check_authority(std::string_view a, bool iri) {
  const std::size_t at = a.rfind('@');
  if (at != std::string_view::npos) {
    if (!check_chars(a.substr(0, at), ":", iri)) return false;
    a = a.substr(at + 1);
  }
  std::string_view host = a;
  std::string_view port;
  if (!a.empty() && a[0] == '[') {
    const std::size_t close = a.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view literal = a.substr(1, close - 1);
    if (!literal.empty() && (literal[0] == 'v' || literal[0] == 'V')) {
      const std::size_t dot = literal.find('.');
      if (dot == std::string_view::npos || dot < 2 || dot + 1 == literal.size()) return false;
      for (std::size_t i = 1; i < dot; ++i) {
        if (!is_hex(literal[i])) return false;
      }
      if (!check_chars(literal.substr(dot + 1), ":", false)) return false;
    } else if (!check_ipv6(literal)) {
      return false;
    }
    const std::string_view rest = a.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return false;
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = a.rfind(':');
    if (colon != std::string_view::npos) {
      host = a.substr(0, colon);
      port = a.substr(colon + 1);
    }
    if (!check_chars(host, "", iri)) return false;
  }
  for (char c : port) {
    if (!is_digit(c)) return false;
  }
  return true;
}

}  // namespace

bool check_uri_like(std::string_view s, bool require_scheme, bool iri) {
  // Fragment and query first: everything after them is opaque to the path rules.
  std::string_view fragment, query;
  bool has_fragment = false, has_query = false;
  if (const std::size_t hash = s.find('#'); hash != std::string_view::npos) {
    fragment = s.substr(hash + 1);
    has_fragment = true;
    s = s.substr(0, hash);
  }
  if (const std::size_t q = s.find('?'); q != std::string_view::npos) {
    query = s.substr(q + 1);
    has_query = true;
    s = s.substr(0, q);
  }
  if (has_fragment && !check_chars(fragment, ":@/?", iri)) return false;
  if (has_query && !check_chars(query, ":@/?", iri)) return false;

  bool has_scheme = false;
  const std::size_t colon = s.find(':');
  const std::size_t slash = s.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
    const std::string_view scheme = s.substr(0, colon);
    if (scheme.empty() || !is_alpha(scheme[0])) return false;
    for (char c : scheme) {
      if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
    }
    has_scheme = true;
    s = s.substr(colon + 1);
  }
  if (require_scheme && !has_scheme) return false;
  if (s.starts_with("//")) {
    s = s.substr(2);
    const std::size_t end = s.find('/');
    const std::string_view authority = s.substr(0, end);
    if (!check_authority(authority, iri)) return false;
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  return check_chars(s, ":@/", iri);
}

// RFC 6570 level 4 templates.
bool check_uri_template(std::string_view s) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    const char c = s[pos];
    const auto u = static_cast<unsigned char>(c);
    if (c == '{') {
      const std::size_t close = s.find('}', pos);
      if (close == std::string_view::npos) return false;
      std::string_view expr = s.substr(pos + 1, close - pos - 1);
      if (!expr.empty() && std::string_view("+#./;?&").find(expr[0]) != std::string_view::npos) {
        expr = expr.substr(1);
      }
      if (expr.empty()) return false;
      std::size_t p = 0;
      while (true) {
        // varname: varchar *( ["."] varchar )
        bool need_char = true;
        const std::size_t start = p;
        while (p < expr.size()) {
          const char v = expr[p];
          if (is_alpha(v) || is_digit(v) || v == '_') {
            need_char = false;
            ++p;
          } else if (v == '%') {
            if (p + 2 >= expr.size() || !is_hex(expr[p + 1]) || !is_hex(expr[p + 2])) return false;
            need_char = false;
            p += 3;
          } else if (v == '.' && !need_char && p != start) {
            need_char = true;
            ++p;
          } else {
            break;
          }
        }
        if (need_char) return false;
        if (p < expr.size() && expr[p] == '*') {
          ++p;
        } else if (p < expr.size() && expr[p] == ':') {
          ++p;
          const std::size_t num = p;
          while (p < expr.size() && is_digit(expr[p])) ++p;
          const std::size_t len = p - num;
          if (len == 0 || len > 4 || expr[num] == '0') return false;
        }
        if (p == expr.size()) break;
        if (expr[p] != ',') return false;
        ++p;
      }
      pos = close + 1;
      continue;
    }
    if (c == '%') {
      if (pos + 2 >= s.size() || !is_hex(s[pos + 1]) || !is_hex(s[pos + 2])) return false;
      pos += 3;
      continue;
    }
    if (u <= 0x20 || u == 0x7f ||
        std::string_view("\"<>\\^`|}").find(c) != std::string_view::npos) {
      return false;
    }
    ++pos;
  }
  return true;
}

}  // namespace tb::schema_detail
