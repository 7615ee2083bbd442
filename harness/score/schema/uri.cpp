// URIs (RFC 3986 reference resolution) and JSON Pointers.
#include "score/schema/uri.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "score/schema/ascii.hpp"

namespace tb::schema_detail {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string remove_dot_segments(std::string_view in) {
  std::string out;
  auto pop_segment = [&out] {
    const std::size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  std::string buffer;  // backs `in` when a rule rewrites the input
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../")) {
      in.remove_prefix(3);
      pop_segment();
    } else if (in == "/..") {
      in = "/";
      pop_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const std::size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      out.append(in.substr(0, next));
      in = next == std::string_view::npos ? std::string_view() : in.substr(next);
    }
  }
  return out;
}

}  // namespace

UriParts parse_uri(std::string_view s) {
  UriParts u;
  if (const std::size_t h = s.find('#'); h != std::string_view::npos) {
    u.fragment = s.substr(h + 1);
    u.has_fragment = true;
    s = s.substr(0, h);
  }
  if (const std::size_t q = s.find('?'); q != std::string_view::npos) {
    u.query = s.substr(q + 1);
    u.has_query = true;
    s = s.substr(0, q);
  }
  if (const std::size_t colon = s.find(':');
      colon != std::string_view::npos && colon > 0 && ascii_alpha(s[0])) {
    const bool scheme_chars =
        std::all_of(s.begin(), s.begin() + static_cast<long>(colon), [](char c) {
          return ascii_alpha(c) || ascii_digit(c) || c == '+' || c == '-' || c == '.';
        });
    if (scheme_chars) {
      u.scheme = s.substr(0, colon);
      u.has_scheme = true;
      s = s.substr(colon + 1);
    }
  }
  if (s.starts_with("//")) {
    s = s.substr(2);
    const std::size_t end = s.find('/');
    u.authority = s.substr(0, end);
    u.has_authority = true;
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  u.path = s;
  return u;
}

std::string resolve_uri(std::string_view base, std::string_view ref) {
  const UriParts r = parse_uri(ref);
  const UriParts b = parse_uri(base);
  UriParts t;
  std::string path;
  if (r.has_scheme) {
    t = r;
    path = remove_dot_segments(r.path);
  } else {
    if (r.has_authority) {
      t.authority = r.authority;
      t.has_authority = true;
      path = remove_dot_segments(r.path);
      t.query = r.query;
      t.has_query = r.has_query;
    } else {
      if (r.path.empty()) {
        path = std::string(b.path);
        t.query = r.has_query ? r.query : b.query;
        t.has_query = r.has_query || b.has_query;
      } else {
        if (r.path[0] == '/') {
          path = remove_dot_segments(r.path);
        } else {
          std::string merged;
          if (b.has_authority && b.path.empty()) {
            merged = "/" + std::string(r.path);
          } else {
            const std::size_t slash = b.path.rfind('/');
            if (slash != std::string_view::npos) merged = std::string(b.path.substr(0, slash + 1));
            merged += r.path;
          }
          path = remove_dot_segments(merged);
        }
        t.query = r.query;
        t.has_query = r.has_query;
      }
      t.authority = b.authority;
      t.has_authority = b.has_authority;
    }
    t.scheme = b.scheme;
    t.has_scheme = b.has_scheme;
  }
  std::string out;
  if (t.has_scheme) {
    out.append(t.scheme);
    out.push_back(':');
  }
  if (t.has_authority) {
    out.append("//");
    out.append(t.authority);
  }
  out.append(path);
  if (t.has_query) {
    out.push_back('?');
    out.append(t.query);
  }
  if (r.has_fragment && !r.fragment.empty()) {
    out.push_back('#');
    out.append(r.fragment);
  }
  return out;
}

// Splits "abs#frag" into ("abs", "frag"); an empty fragment is the same as none.
std::pair<std::string, std::string> split_fragment(const std::string& uri) {
  const std::size_t hash = uri.find('#');
  if (hash == std::string::npos) return {uri, ""};
  return {uri.substr(0, hash), uri.substr(hash + 1)};
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string percent_encode_path(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (ascii_alpha(c) || ascii_digit(c) ||
        std::string_view("-._~/:").find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string pointer_unescape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out.push_back(token[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

}  // namespace tb::schema_detail
