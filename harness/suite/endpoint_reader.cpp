// `endpoints:` of a suite, and the two built-in endpoints.
#include <algorithm>
#include <array>
#include <cstdlib>

#include "common/text.hpp"
#include "net/http_request_head.hpp"
#include "net/url.hpp"
#include "suite/suite_sections.hpp"

namespace tb {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 11> kEndpointKeys = {
    "kind", "base_url", "api_key_env", "api_key_header", "rpm", "tpm", "insecure", "headers",
    "mock", "description", "price"};
constexpr std::array<std::string_view, 2> kEndpointKinds = {"openai", "mock"};

std::string default_openai_base_url() {
  // The official SDKs read OPENAI_BASE_URL when no base URL is given; so do we.
  if (const char* env = std::getenv("OPENAI_BASE_URL"); env != nullptr && *env != '\0') return env;
  return "https://api.openai.com/v1";
}

std::map<std::string, Endpoint> builtin_endpoints() {
  std::map<std::string, Endpoint> out;
  Endpoint mock;
  mock.name = "mock";
  mock.kind = EndpointKind::mock;
  mock.mock = json::object();
  out["mock"] = mock;
  Endpoint openai;
  openai.name = "openai";
  openai.kind = EndpointKind::openai;
  openai.base_url = default_openai_base_url();
  openai.api_key_env = "OPENAI_API_KEY";
  out["openai"] = openai;
  return out;
}

void read_headers(FieldReader& r, const FieldReader::At& e, Endpoint& endpoint) {
  const auto h = e.child("headers");
  if (!h.value.is_object()) {
    r.error(h, "expected a mapping of header names to strings");
    return;
  }
  for (const auto& [hn, hv] : h.value.items()) {
    if (!hv.is_string()) {
      r.error(h.child(hn), "expected a string");
    } else if (auto bad = invalid_header({{hn, hv.get<std::string>()}})) {
      r.error(h.child(hn), *bad);
    } else {
      endpoint.headers[hn] = hv.get<std::string>();
    }
  }
}

}  // namespace

std::map<std::string, Endpoint> read_endpoints(FieldReader& r, const FieldReader::At& root) {
  auto all = builtin_endpoints();
  if (!root.value.contains("endpoints")) return all;
  const auto at = root.child("endpoints");
  if (!at.value.is_object()) {
    r.error(at, std::string("expected a mapping of endpoint names; got ") + json_type_name(at.value));
    return all;
  }
  for (const auto& [name, value] : at.value.items()) {
    const auto e = at.child(name);
    if (!r.expect_mapping(e, kEndpointKeys)) continue;
    Endpoint endpoint;
    endpoint.name = name;
    const auto kind = r.string(e, "kind", false).value_or(name == "mock" ? "mock" : "openai");
    if (std::find(kEndpointKinds.begin(), kEndpointKinds.end(), kind) == kEndpointKinds.end()) {
      r.error(e.child("kind"), "expected one of openai, mock; got " + dquote(kind));
      continue;
    }
    endpoint.kind = kind == "mock" ? EndpointKind::mock : EndpointKind::openai;
    endpoint.base_url = r.string(e, "base_url", false)
                            .value_or(endpoint.kind == EndpointKind::openai ? default_openai_base_url() : "");
    // Parsed as the client will parse it, so that a bad port or a password in the URL is an
    // input error with its line (exit 2) and not a failure once the run is created.
    if (std::string url_error;
        endpoint.kind == EndpointKind::openai && !parse_url(endpoint.base_url, url_error)) {
      const auto where = e.value.contains("base_url") ? e.child("base_url") : e;
      if (url_error.starts_with("credentials"))  // not echoed: the URL holds a password
        r.error(where, url_error);
      else
        r.error(where, url_error + "; got " + dquote(endpoint.base_url));
    }
    endpoint.api_key_env = r.string(e, "api_key_env", false)
                               .value_or(endpoint.kind == EndpointKind::openai ? "OPENAI_API_KEY" : "");
    endpoint.api_key_header = to_lower(r.string(e, "api_key_header", false).value_or("authorization"));
    if (auto bad = invalid_header({{endpoint.api_key_header, ""}})) r.error(e.child("api_key_header"), *bad);
    endpoint.rpm = r.number(e, "rpm", 0, 1e9).value_or(0);
    endpoint.tpm = r.number(e, "tpm", 0, 1e12).value_or(0);
    endpoint.insecure = r.boolean(e, "insecure").value_or(false);
    if (e.value.contains("headers")) read_headers(r, e, endpoint);
    // A self-hosted server's price (gpu_hour_usd) is the endpoint's: every model it serves.
    if (e.value.contains("price")) endpoint.price = read_price(r, e.child("price"));
    if (e.value.contains("mock")) {
      if (endpoint.kind != EndpointKind::mock) r.error(e.child("mock"), "only for kind: mock");
      else if (!e.value["mock"].is_object()) r.error(e.child("mock"), "expected a mapping of mock settings");
      else endpoint.mock = e.value["mock"];
    } else if (endpoint.kind == EndpointKind::mock) {
      endpoint.mock = json::object();
    }
    all[name] = endpoint;
  }
  return all;
}

}  // namespace tb
