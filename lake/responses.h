// Response heads and the small JSON bodies the lake answers with. Heads are always written whole
// from known fields, so every response's framing is explicit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/message.h"

namespace fathom::lake {

enum class BodyFraming : uint8_t {
  none,         // no body and no Content-Length (1xx, 204, 304, /ws 101)
  length,       // Content-Length
  chunked,      // Transfer-Encoding: chunked
  until_close,  // neither: the body ends when the lake closes the connection
};

// What the request decided about its response.
struct ReplyShape {
  bool keep_alive = true;  // false: "Connection: close", and the lake closes after the response
  bool http10 = false;     // an HTTP/1.0 client: no chunked coding; keep-alive must be explicit
  bool head_only = false;  // a HEAD request: head as for GET, no body
};

// "HTTP/1.1 <status> <reason>" plus Content-Type (if not empty), the framing header, Connection
// and `extra_headers` (complete "Name: value\r\n" lines), then the blank line.
std::string response_head(int status, std::string_view content_type, BodyFraming framing,
                          uint64_t length, const ReplyShape& shape,
                          std::string_view extra_headers = {});

// A whole response with a JSON body (none for 204 and 304, nor for HEAD).
std::string json_reply(int status, std::string_view json, const ReplyShape& shape,
                       std::string_view extra_headers = {});

// {"error": code, "message": message}, the shape of every error body in the project.
std::string error_json(std::string_view code, std::string_view message);

// {"method", "path", "query", "headers": [[name, value], ...]}: what a request looked like, for
// the echo and the --record file. Invalid UTF-8 is replaced when dumped, never thrown on.
nlohmann::ordered_json describe_request(const http::RequestHead& head);
// The request as a CGI/WSGI upstream reads it (the "wsgi" member of describe_request): the
// header names and path an attacker would aim at behind such an upstream.
nlohmann::ordered_json wsgi_view(const http::RequestHead& head);

// The dump that never throws on bytes that are not UTF-8 (header values may be obs-text).
std::string dump_json(const nlohmann::ordered_json& j);

}  // namespace fathom::lake
