// Times the file audit log on 1,000,000 events: bulk write, reopen (index build), and queries by
// token id (first page and a deep cursor page) and unfiltered. Not a test; the numbers go to
// docs/performance.md.
//
//   audit_query_bench [EVENTS] [TOKENS]     defaults 1000000 and 2000
//
// Writes into a fresh directory under $TMPDIR (or /tmp) and deletes it afterwards.
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <vector>

#include "audit/file_audit_log.h"

namespace {

using Clock = std::chrono::steady_clock;
using fathom::AuditEvent;
using fathom::AuditPage;
using fathom::AuditQuery;
using fathom::AuditStatus;
using fathom::audit::FileAuditLog;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string random_id(std::mt19937_64& rng, const char* prefix, size_t chars) {
  static const char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out = prefix;
  for (size_t i = 0; i < chars; ++i) out += kDigits[rng() % 62];
  return out;
}

AuditPage run_query(FileAuditLog& log, const AuditQuery& q) {
  AuditPage out;
  log.query(q, [&](AuditStatus status, AuditPage page) {
    if (status != AuditStatus::ok) {
      std::fprintf(stderr, "query failed\n");
      std::exit(1);
    }
    out = std::move(page);
  });
  return out;
}

void print_latencies(const char* what, std::vector<double>& micros, size_t events) {
  std::sort(micros.begin(), micros.end());
  const auto pct = [&](double p) {
    return micros[std::min(micros.size() - 1, static_cast<size_t>(p * micros.size()))];
  };
  std::printf("%-44s n=%-5zu p50 %8.1f us   p99 %8.1f us   (%zu events returned)\n", what,
              micros.size(), pct(0.50), pct(0.99), events);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t events = argc > 1 ? std::stoul(argv[1]) : 1000000;
  const size_t tokens = argc > 2 ? std::stoul(argv[2]) : 2000;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp ? tmp : "/tmp") + "/fathom-audit-bench-XXXXXX";
  if (!::mkdtemp(pattern.data())) return 1;
  const std::filesystem::path dir = std::filesystem::path(pattern) / "audit";

  std::mt19937_64 rng(42);
  std::vector<std::string> token_ids;
  for (size_t i = 0; i < tokens; ++i) token_ids.push_back(random_id(rng, "tok_", 16));

  const fathom::UnixTime t0 = 1700000000;
  {
    FileAuditLog log(dir);
    const Clock::time_point start = Clock::now();
    for (size_t i = 0; i < events; ++i) {
      AuditEvent e;
      e.time = t0 + static_cast<fathom::UnixTime>(i / 100);
      e.kind = "request";
      e.token_id = token_ids[rng() % tokens];
      e.method = i % 5 == 0 ? "POST" : "GET";
      e.path = "/v1/lake/objects/" + std::to_string(i % 5000);
      e.status = 200;
      e.client = "10.0." + std::to_string(i % 250) + ".7";
      e.user_agent = "fathom-agent/1.4 (linux)";
      e.request_id = random_id(rng, "", 26);
      // As in the daemon, most events are queued; a durable one now and then waits for a sync.
      if (i % 10000 == 9999) {
        std::promise<bool> durable;
        log.record_durable(std::move(e), [&](bool ok) { durable.set_value(ok); });
        if (!durable.get_future().get()) return 1;
      } else {
        log.record(std::move(e));
      }
    }
    std::promise<bool> durable;
    AuditEvent last;
    last.time = t0;
    last.kind = "token.created";
    last.token_id = token_ids[0];
    log.record_durable(std::move(last), [&](bool ok) { durable.set_value(ok); });
    durable.get_future().get();
    const double s = seconds_since(start);
    std::printf("write: %zu events in %.2f s = %.0f events/s (durable)\n", events, s,
                static_cast<double>(events) / s);
  }
  uint64_t bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() == ".log") bytes += f.file_size();
  }
  std::printf("on disk: %.1f MiB (%.0f bytes/event)\n", static_cast<double>(bytes) / (1 << 20),
              static_cast<double>(bytes) / static_cast<double>(events));

  const Clock::time_point open_start = Clock::now();
  FileAuditLog log(dir);
  std::printf("reopen (scan + index): %.2f s\n", seconds_since(open_start));

  std::vector<double> first, deep, unfiltered, unfiltered_deep;
  size_t first_events = 0, deep_events = 0, unfiltered_events = 0, unfiltered_deep_events = 0;
  for (int i = 0; i < 2000; ++i) {
    AuditQuery q;
    q.token_id = token_ids[rng() % tokens];
    q.limit = 100;
    Clock::time_point start = Clock::now();
    AuditPage page = run_query(log, q);
    first.push_back(seconds_since(start) * 1e6);
    first_events += page.events.size();
    // Two pages further down, then time the next one.
    for (int k = 0; k < 2 && !page.next_cursor.empty(); ++k) {
      q.cursor = page.next_cursor;
      page = run_query(log, q);
    }
    if (page.next_cursor.empty()) continue;
    q.cursor = page.next_cursor;
    start = Clock::now();
    page = run_query(log, q);
    deep.push_back(seconds_since(start) * 1e6);
    deep_events += page.events.size();
  }
  for (int i = 0; i < 500; ++i) {
    AuditQuery q;
    q.limit = 100;
    Clock::time_point start = Clock::now();
    AuditPage page = run_query(log, q);
    unfiltered.push_back(seconds_since(start) * 1e6);
    unfiltered_events += page.events.size();
    // A cursor from the middle of the log.
    q.cursor = page.next_cursor;
    for (int k = 0; k < 20; ++k) q.cursor = run_query(log, q).next_cursor;
    start = Clock::now();
    page = run_query(log, q);
    unfiltered_deep.push_back(seconds_since(start) * 1e6);
    unfiltered_deep_events += page.events.size();
  }
  print_latencies("query token_id, limit 100, first page", first, first_events);
  print_latencies("query token_id, limit 100, 4th page (cursor)", deep, deep_events);
  print_latencies("query unfiltered, limit 100, first page", unfiltered, unfiltered_events);
  print_latencies("query unfiltered, limit 100, 22nd page", unfiltered_deep,
                  unfiltered_deep_events);

  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS: %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024);
  std::error_code ec;
  std::filesystem::remove_all(pattern, ec);
  return 0;
}
