#include "routes.h"

#include <charconv>

#include "websocket.h"

namespace fathom::lake {

namespace {

// Generous caps: the lake must serve multi-GiB downloads, but a typo should not mean an
// effectively endless response.
constexpr uint64_t kMaxBytes = uint64_t{1} << 50;
constexpr uint64_t kDefaultChunkSize = 16 * 1024;
constexpr uint64_t kMaxChunkSize = uint64_t{1} << 32;
constexpr uint64_t kMaxEvents = 1'000'000;
constexpr uint64_t kMaxDelayMs = 3'600'000;

bool is_get_or_head(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

bool parse_uint(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Reads an optional numeric parameter within [min, max]; on failure fills route.error.
bool read_param(Route& route, std::string_view query, std::string_view name, uint64_t fallback,
                uint64_t min, uint64_t max, uint64_t& out, bool required = false) {
  auto raw = query_param(query, name);
  if (!raw) {
    if (!required) {
      out = fallback;
      return true;
    }
    route.error = std::string(name) + " is required";
    return false;
  }
  if (!parse_uint(*raw, out) || out < min || out > max) {
    route.error = std::string(name) + " must be an integer from " + std::to_string(min) + " to " +
                  std::to_string(max);
    return false;
  }
  return true;
}

Route bad(Route route) {
  route.kind = RouteKind::bad_request;
  return route;
}

Route route_websocket(const http::RequestHead& head) {
  Route route;
  const http::Header* upgrade = head.find("upgrade");
  const http::Header* key = head.find("sec-websocket-key");
  if (head.method != "GET" || !head.upgrade || upgrade == nullptr ||
      !http::list_contains(upgrade->value, "websocket") || key == nullptr) {
    route.kind = RouteKind::upgrade_required;
    return route;
  }
  if (!ws::valid_client_key(key->value)) {
    route.error = "Sec-WebSocket-Key must be the base64 of 16 bytes";
    return bad(std::move(route));
  }
  route.kind = RouteKind::websocket;
  route.ws_accept = ws::accept_key(key->value);
  return route;
}

}  // namespace

std::optional<std::string_view> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (key == name) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
  }
  return std::nullopt;
}

Route route_request(const http::RequestHead& head) {
  Route route;
  const std::string_view path = head.path;
  const std::string_view query = head.query;
  const bool read = is_get_or_head(head.method);

  if (read && path == "/v1/stats") {
    route.kind = RouteKind::stats;
  } else if (read && path == "/healthz") {
    route.kind = RouteKind::healthz;
  } else if (read && path == "/download") {
    uint64_t chunked = 0;
    if (!read_param(route, query, "bytes", 0, 0, kMaxBytes, route.bytes, true) ||
        !read_param(route, query, "chunked", 0, 0, 1, chunked) ||
        !read_param(route, query, "chunk_size", kDefaultChunkSize, 1, kMaxChunkSize,
                    route.chunk_size)) {
      return bad(std::move(route));
    }
    route.chunked = chunked == 1;
    route.kind = RouteKind::download;
  } else if (read && path == "/close-delimited") {
    if (!read_param(route, query, "bytes", 0, 0, kMaxBytes, route.bytes, true)) {
      return bad(std::move(route));
    }
    route.kind = RouteKind::close_delimited;
  } else if (head.method == "GET" && path == "/sse") {
    if (!read_param(route, query, "events", 5, 0, kMaxEvents, route.events) ||
        !read_param(route, query, "interval_ms", 100, 0, kMaxDelayMs, route.interval_ms)) {
      return bad(std::move(route));
    }
    route.kind = RouteKind::sse;
  } else if (path == "/ws") {
    return route_websocket(head);
  } else if (path == "/slow") {
    if (!read_param(route, query, "delay_ms", 1000, 0, kMaxDelayMs, route.delay_ms)) {
      return bad(std::move(route));
    }
    route.kind = RouteKind::slow;
  } else if (path.starts_with("/status/")) {
    uint64_t code = 0;
    // 1xx is left out: an interim response without the request that calls for it breaks clients.
    if (!parse_uint(path.substr(8), code) || code < 200 || code > 599) {
      route.error = "the status code in /status/<code> must be from 200 to 599";
      return bad(std::move(route));
    }
    route.status = static_cast<int>(code);
    route.kind = RouteKind::status;
  } else if (path == "/drop") {
    route.kind = RouteKind::drop;
  }
  return route;
}

}  // namespace fathom::lake
