// What the token lifecycle tests share: the audit trail read through GET /v1/audit (one page,
// every page, or polled until request events written off the hot path have become durable), the
// pair-code routes, and RFC 3339 times as the audit prints them.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/token_api.h"

namespace fathom::test::lifecycle {

using Events = std::vector<nlohmann::json>;

// Request events are durable within a second; this bound only keeps a broken daemon from
// hanging the test.
inline constexpr std::chrono::seconds kDurableWithin{5};

// A string member of an audit event or token, "" when it is null or absent.
inline std::string text_of(const nlohmann::json& object, std::string_view key) {
  auto it = object.find(std::string(key));
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// GET /v1/audit?<query> with `api`'s token.
inline ApiReply audit_page(const TokenApi& api, std::string_view query) {
  std::string path = "/v1/audit";
  if (!query.empty()) path += "?" + std::string(query);
  return api.call("GET", path);
}

// The events of one 200 page; a failed assertion (and no events) for anything else.
inline Events events_of(const ApiReply& reply) {
  EXPECT_EQ(reply.status, 200) << reply.describe();
  if (reply.status != 200 || !reply.body.contains("events") || !reply.body["events"].is_array()) {
    ADD_FAILURE() << "no \"events\" array: " << reply.describe();
    return {};
  }
  return reply.body["events"].get<Events>();
}

// Polls GET /v1/audit?<query>&limit=1000 until `done` accepts the events, at most
// kDurableWithin. Returns the last events seen, so the caller's assertions explain a timeout.
inline Events poll_audit(const TokenApi& api, const std::string& query,
                         const std::function<bool(const Events&)>& done) {
  const std::string full = query.empty() ? "limit=1000" : query + "&limit=1000";
  auto deadline = std::chrono::steady_clock::now() + kDurableWithin;
  for (;;) {
    ApiReply reply = audit_page(api, full);
    if (reply.status != 200) return events_of(reply);
    Events events = reply.body["events"].get<Events>();
    if (done(events) || std::chrono::steady_clock::now() > deadline) return events;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

inline bool has_event(const Events& events, std::string_view kind, std::string_view field,
                      std::string_view value) {
  for (const nlohmann::json& e : events) {
    if (text_of(e, "kind") == kind && text_of(e, field) == value) return true;
  }
  return false;
}

// Every event of GET /v1/audit?<query>&limit=<limit>, following next_cursor until it is null.
// Stops (with a failure) after `max_pages`, so a cursor that never ends cannot hang the test.
inline Events all_pages(const TokenApi& api, const std::string& query, int limit,
                        int max_pages = 1000) {
  Events out;
  std::string cursor;
  for (int page = 0; page < max_pages; ++page) {
    std::string q = query.empty() ? "" : query + "&";
    q += "limit=" + std::to_string(limit);
    if (!cursor.empty()) q += "&cursor=" + cursor;
    ApiReply reply = audit_page(api, q);
    Events events = events_of(reply);
    if (reply.status != 200) return out;
    EXPECT_LE(events.size(), static_cast<size_t>(limit)) << "page " << page << " is too long";
    out.insert(out.end(), events.begin(), events.end());
    const nlohmann::json& next = reply.body["next_cursor"];
    if (next.is_null()) return out;
    if (!next.is_string() || next.get<std::string>().empty()) {
      ADD_FAILURE() << "next_cursor is neither null nor a cursor: " << reply.describe();
      return out;
    }
    cursor = next.get<std::string>();
  }
  ADD_FAILURE() << "next_cursor was still not null after " << max_pages << " pages";
  return out;
}

// "2026-11-26T21:43:00Z" as seconds since the epoch; throws for any other shape.
inline time_t parse_time(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') throw std::runtime_error("not an RFC 3339 UTC time: " + text);
  return ::timegm(&tm);
}

inline std::string format_time(time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// POST /v1/pair-codes {"name", "scopes"} plus `extra` (ttl_seconds).
inline ApiReply create_pair_code(const TokenApi& api, std::string_view name,
                                 const std::vector<std::string>& scopes,
                                 const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json body = extra;
  body["name"] = name;
  body["scopes"] = scopes;
  return api.call("POST", "/v1/pair-codes", body.dump());
}

// POST /v1/pair {"code"} without credentials, on a fresh connection.
inline ApiReply redeem(uint16_t port, std::string_view code) {
  ApiReply reply;
  nlohmann::json body = {{"code", code}};
  reply.response =
      fetch(port, "POST", "/v1/pair", "Content-Type: application/json\r\n", body.dump());
  reply.status = reply.response.status;
  reply.body = reply.response.json();
  return reply;
}

inline void expect_invalid_grant(const ApiReply& reply, std::string_view what) {
  EXPECT_EQ(reply.status, 400) << what << ": " << reply.describe();
  EXPECT_EQ(reply.error(), "invalid_grant") << what << ": " << reply.describe();
  EXPECT_FALSE(text_of(reply.body, "message").empty()) << what << ": " << reply.describe();
}

// The pair_code_id values GET /v1/pair-codes lists.
inline std::set<std::string> pending_code_ids(const ApiReply& reply) {
  std::set<std::string> ids;
  if (!reply.body.contains("pair_codes") || !reply.body["pair_codes"].is_array()) return ids;
  for (const nlohmann::json& p : reply.body["pair_codes"]) ids.insert(text_of(p, "pair_code_id"));
  return ids;
}

}  // namespace fathom::test::lifecycle
