// Which lake endpoint a request head names, with its query parameters parsed and checked. Decided
// while the head's bytes are still alive, so the result owns everything it needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace fathom::lake {

enum class RouteKind : uint8_t {
  echo,              // the default: describes the request and its body
  stats,             // GET /v1/stats
  healthz,           // GET /healthz
  download,          // GET /download?bytes=N[&chunked=1][&chunk_size=K]
  close_delimited,   // GET /close-delimited?bytes=N
  sse,               // GET /sse?events=N&interval_ms=M
  websocket,         // GET /ws with a valid upgrade
  upgrade_required,  // /ws without one: 426
  slow,              // /slow?delay_ms=N
  status,            // /status/<code>
  drop,              // /drop: close without answering
  bad_request,       // a lake endpoint with bad parameters: 400
};

struct Route {
  RouteKind kind = RouteKind::echo;
  uint64_t bytes = 0;        // download, close_delimited
  bool chunked = false;      // download
  uint64_t chunk_size = 0;   // download with chunked: payload bytes per chunk
  uint64_t events = 0;       // sse
  uint64_t interval_ms = 0;  // sse
  uint64_t delay_ms = 0;     // slow
  int status = 0;            // status
  std::string ws_accept;     // websocket: the Sec-WebSocket-Accept value
  std::string error;         // bad_request: one sentence naming the parameter
};

Route route_request(const http::RequestHead& head);

// The raw value of the first `name=value` pair in a query string (no percent-decoding: the lake's
// parameters are plain numbers), or nullopt if absent.
std::optional<std::string_view> query_param(std::string_view query, std::string_view name);

}  // namespace fathom::lake
