// Helpers for the audit tests: sample events, synchronous wrappers, and the stored lines.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "../store/store_test_util.h"
#include "audit/file_audit_log.h"

namespace fathom::audit::audit_test {

using store::store_test::read_bytes;
using store::store_test::TempDir;
using store::store_test::write_bytes;

inline AuditEvent request_event(const std::string& token_id, UnixTime time, int status = 200) {
  AuditEvent e;
  e.time = time;
  e.kind = "request";
  e.token_id = token_id;
  e.method = "GET";
  e.path = "/v1/lake/objects";
  e.status = status;
  e.client = "127.0.0.1";
  e.user_agent = "curl/7.88.1";
  e.request_id = "req-" + std::to_string(time);
  return e;
}

inline bool record_durable_sync(AuditLog& log, AuditEvent event) {
  std::promise<bool> p;
  std::future<bool> f = p.get_future();
  log.record_durable(std::move(event), [&p](bool durable) { p.set_value(durable); });
  return f.get();
}

struct QueryResult {
  AuditStatus status = AuditStatus::unavailable;
  AuditPage page;
};

inline QueryResult query_sync(AuditLog& log, const AuditQuery& q) {
  QueryResult out;
  log.query(q, [&](AuditStatus status, AuditPage page) {
    out.status = status;
    out.page = std::move(page);
  });
  return out;
}

// Every event matching `q`, following the cursors, newest first.
inline std::vector<AuditEvent> query_all(AuditLog& log, AuditQuery q) {
  std::vector<AuditEvent> out;
  for (;;) {
    QueryResult r = query_sync(log, q);
    EXPECT_EQ(r.status, AuditStatus::ok);
    for (AuditEvent& e : r.page.events) out.push_back(std::move(e));
    if (r.page.next_cursor.empty() || r.status != AuditStatus::ok) return out;
    q.cursor = r.page.next_cursor;
  }
}

inline std::vector<std::string> split_lines(const std::string& bytes) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string::npos) nl = bytes.size();
    lines.push_back(bytes.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

}  // namespace fathom::audit::audit_test
