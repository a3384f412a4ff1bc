#include "responses.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "http/path_canonical.h"
#include "http/serialize.h"

namespace fathom::lake {

std::string response_head(int status, std::string_view content_type, BodyFraming framing,
                          uint64_t length, const ReplyShape& shape,
                          std::string_view extra_headers) {
  std::string out;
  out.reserve(160 + extra_headers.size());
  out.append("HTTP/1.1 ");
  out.append(std::to_string(status));
  out.push_back(' ');
  out.append(http::reason_phrase(status));
  out.append("\r\n");
  if (!content_type.empty()) http::append_header(out, "Content-Type", content_type);
  switch (framing) {
    case BodyFraming::length:
      http::append_header(out, "Content-Length", std::to_string(length));
      break;
    case BodyFraming::chunked:
      http::append_header(out, "Transfer-Encoding", "chunked");
      break;
    case BodyFraming::none:
    case BodyFraming::until_close:
      break;
  }
  if (!shape.keep_alive) {
    http::append_header(out, "Connection", "close");
  } else if (shape.http10) {
    http::append_header(out, "Connection", "keep-alive");
  }
  out.append(extra_headers);
  out.append("\r\n");
  return out;
}

std::string json_reply(int status, std::string_view json, const ReplyShape& shape,
                       std::string_view extra_headers) {
  if (status == 204 || status == 304) {
    return response_head(status, {}, BodyFraming::none, 0, shape, extra_headers);
  }
  std::string out = response_head(status, "application/json", BodyFraming::length, json.size(),
                                  shape, extra_headers);
  if (!shape.head_only) out.append(json);
  return out;
}

std::string error_json(std::string_view code, std::string_view message) {
  nlohmann::ordered_json j;
  j["error"] = code;
  j["message"] = message;
  return dump_json(j);
}

nlohmann::ordered_json describe_request(const http::RequestHead& head) {
  nlohmann::ordered_json j;
  j["method"] = head.method;
  j["path"] = head.path;
  j["query"] = head.query;
  auto headers = nlohmann::ordered_json::array();
  for (const http::Header& h : head.headers) {
    headers.push_back(nlohmann::ordered_json::array({h.name, h.value}));
  }
  j["headers"] = std::move(headers);
  j["wsgi"] = wsgi_view(head);
  return j;
}

// What a CGI/WSGI application behind the proxy would read: PATH_INFO percent-decoded, and every
// header as HTTP_<NAME> with the name upper-cased and '-' turned into '_' (so "X_Fathom_Id" and
// "X-Fathom-Id" land on one key), repeated ones joined with ", " (PEP 3333, RFC 3875).
nlohmann::ordered_json wsgi_view(const http::RequestHead& head) {
  std::vector<std::pair<std::string, std::string>> environ;  // in the order first seen
  for (const http::Header& h : head.headers) {
    std::string key = "HTTP_";
    for (char c : h.name) {
      key += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    auto same = std::find_if(environ.begin(), environ.end(),
                             [&](const auto& entry) { return entry.first == key; });
    if (same == environ.end()) {
      environ.emplace_back(std::move(key), std::string(h.value));
    } else {
      same->second.append(", ").append(h.value);
    }
  }
  nlohmann::ordered_json env = nlohmann::ordered_json::object();
  for (auto& [key, value] : environ) env[key] = std::move(value);
  nlohmann::ordered_json j;
  j["PATH_INFO"] = http::percent_decode(head.path);
  j["REQUEST_METHOD"] = head.method;
  j["environ"] = std::move(env);
  return j;
}

std::string dump_json(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace fathom::lake
