// GET /metrics on the real daemon's metrics listener (metrics.listen): the counters move by
// exactly the requests made, the text parses as Prometheus' exposition format, the listener
// serves nothing else, and the main listener never serves the metrics.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "integration/tokens/token_checks.h"
#include "support/binaries.h"
#include "support/child_process.h"
#include "support/ports.h"
#include "support/proxy_under_test.h"
#include "support/redis_fleet.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"
#include "support/token_api.h"
#include "support/websocket_client.h"

namespace fathom::test {
namespace {

using tokens::get_stats;
using tokens::unminted_token;

// Every sample of one scrape, keyed by the sample as written before its value:
// `fathom_auth_total{outcome="valid"}`.
using Samples = std::map<std::string, double>;

// The base name a sample belongs to: a histogram's _bucket, _sum and _count samples belong to
// the histogram's family.
std::string family_of(const std::string& sample_name,
                      const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (sample_name.size() > s.size() && sample_name.ends_with(s)) {
      const std::string base = sample_name.substr(0, sample_name.size() - s.size());
      auto t = types.find(base);
      if (t != types.end() && t->second == "histogram") return base;
    }
  }
  return sample_name;
}

// Parses the exposition text, failing the test on any line that is not a # HELP, a # TYPE or a
// sample of a family whose TYPE came before it.
Samples parse_exposition(const std::string& text) {
  Samples samples;
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::istringstream in(text);
  std::string line;
  EXPECT_TRUE(text.ends_with("\n")) << "the text does not end in a line feed";
  while (std::getline(in, line)) {
    SCOPED_TRACE(line);
    if (line.starts_with("# HELP ")) {
      const std::string rest = line.substr(7);
      helped.insert(rest.substr(0, rest.find(' ')));
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << type;
      EXPECT_EQ(types.count(name), 0u) << "a second TYPE for " << name;
      EXPECT_TRUE(helped.count(name)) << "no HELP before the TYPE of " << name;
      if (type == "counter") {
        EXPECT_TRUE(name.ends_with("_total")) << name;
      }
      types[name] = type;
      continue;
    }
    EXPECT_FALSE(line.empty() || line[0] == '#') << "neither a HELP, a TYPE nor a sample";
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) {
      ADD_FAILURE() << "a sample without a value";
      continue;
    }
    const std::string series = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    const std::string name = series.substr(0, series.find('{'));
    EXPECT_TRUE(types.count(family_of(name, types))) << "a sample without a TYPE: " << name;
    if (series.find('{') != std::string::npos) {
      EXPECT_TRUE(series.ends_with("}")) << series;
    }
    size_t used = 0;
    double v = value == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(value, &used);
    if (value != "+Inf") {
      EXPECT_EQ(used, value.size()) << "not a number: " << value;
    }
    EXPECT_EQ(samples.count(series), 0u) << "a sample twice: " << series;
    samples[series] = v;
  }
  return samples;
}

Samples scrape(uint16_t metrics_port) {
  Response r = fetch(metrics_port, "GET", "/metrics");
  EXPECT_EQ(r.status, 200) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
  return parse_exposition(r.body);
}

// How much each sample moved between two scrapes (absent samples count as 0).
double moved(const Samples& before, const Samples& after, const std::string& series) {
  auto a = after.find(series);
  EXPECT_NE(a, after.end()) << "no sample " << series;
  auto b = before.find(series);
  return (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
}

std::function<void(nlohmann::json&)> with_metrics_on(uint16_t port) {
  return [port](nlohmann::json& config) {
    config["metrics"] = {{"listen", "127.0.0.1:" + std::to_string(port)}};
  };
}

const char* const kOutcomes[] = {"valid",       "stale",        "missing",          "malformed",
                                 "query_token", "bad_format",   "unknown",          "revoked",
                                 "expired",     "rate_limited", "store_unavailable"};

TEST(Metrics, CountersMoveByExactlyTheRequestsMade) {
  const uint16_t mport = free_port();
  TokenProxy p(with_metrics_on(mport));
  ApiReply minted = p.admin().mint("metrics-reader", {"lake:read"});
  ASSERT_EQ(minted.status, 201) << minted.describe();
  const std::string token = minted.body.value("token", "");

  const Samples before = scrape(mport);
  EXPECT_EQ(get_stats(p.port(), token).status, 200);             // valid, first use: a miss
  EXPECT_EQ(fetch(p.port(), "GET", "/v1/stats").status, 401);    // missing
  EXPECT_EQ(get_stats(p.port(), unminted_token()).status, 401);  // unknown, asked the store
  EXPECT_EQ(fetch(p.port(), "GET", "/healthz").status, 200);     // local, no authentication
  const Samples after = scrape(mport);

  EXPECT_EQ(moved(before, after, R"(fathom_requests_total{class="1xx"})"), 0);
  EXPECT_EQ(moved(before, after, R"(fathom_requests_total{class="2xx"})"), 2);
  EXPECT_EQ(moved(before, after, R"(fathom_requests_total{class="3xx"})"), 0);
  EXPECT_EQ(moved(before, after, R"(fathom_requests_total{class="4xx"})"), 2);
  EXPECT_EQ(moved(before, after, R"(fathom_requests_total{class="5xx"})"), 0);
  for (const char* outcome : kOutcomes) {
    const std::string o = outcome;
    const double want = o == "valid" || o == "missing" || o == "unknown" ? 1 : 0;
    EXPECT_EQ(moved(before, after, "fathom_auth_total{outcome=\"" + o + "\"}"), want) << o;
  }
  // Nothing mints into the cache: both well-formed tokens were new to it and went to the store.
  EXPECT_EQ(moved(before, after, "fathom_cache_hits_total"), 0);
  EXPECT_EQ(moved(before, after, "fathom_cache_misses_total"), 2);
  EXPECT_EQ(moved(before, after, "fathom_store_lookup_seconds_count"), 2);
  EXPECT_EQ(moved(before, after, R"(fathom_store_lookup_seconds_bucket{le="+Inf"})"), 2);
  EXPECT_EQ(moved(before, after, "fathom_store_errors_total"), 0);
  EXPECT_GE(moved(before, after, "fathom_store_lookup_seconds_sum"), 0);
  // Only the valid request reached the lake.
  EXPECT_EQ(moved(before, after, "fathom_upstream_response_seconds_count"), 1);
  EXPECT_GT(moved(before, after, "fathom_upstream_response_seconds_sum"), 0);
  EXPECT_EQ(after.at("fathom_open_tunnels"), 0);
  // The version the binary reports of itself.
  RunResult version =
      run_to_exit({daemon_binary(), "--version"}, p.daemon.dir().path(), std::chrono::seconds(10));
  ASSERT_TRUE(version.out.starts_with("fathom-auth ")) << version.out;
  const std::string v = version.out.substr(12, version.out.find('\n') - 12);
  EXPECT_EQ(after.at("fathom_build_info{version=\"" + v + "\"}"), 1);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(after.at("fathom_start_time_seconds"), now - 600);
  EXPECT_LE(after.at("fathom_start_time_seconds"), now);

  // The same valid token again: the cache answers, the store is not asked.
  EXPECT_EQ(get_stats(p.port(), token).status, 200);
  const Samples again = scrape(mport);
  EXPECT_EQ(moved(after, again, "fathom_cache_hits_total"), 1);
  EXPECT_EQ(moved(after, again, "fathom_cache_misses_total"), 0);
  EXPECT_EQ(moved(after, again, "fathom_store_lookup_seconds_count"), 0);
  EXPECT_EQ(moved(after, again, R"(fathom_auth_total{outcome="valid"})"), 1);
  // Scrapes are not requests of the main listener.
  EXPECT_EQ(moved(after, again, R"(fathom_requests_total{class="2xx"})"), 1);
}

TEST(Metrics, RedisLookupsAndTheirErrorsAreCounted) {
  // Redis answers on its own thread: the lookup is still counted once, on the worker.
  RedisServer redis;
  const uint16_t mport = free_port();
  RedisFleet fleet(redis, 1, with_metrics_on(mport));
  ApiReply minted = fleet.admin(0).mint("metrics-redis", {"lake:read"});
  ASSERT_EQ(minted.status, 201) << minted.describe();
  const std::string token = minted.body.value("token", "");

  const Samples before = scrape(mport);
  EXPECT_EQ(get_stats(fleet.port(0), token).status, 200);
  const Samples answered = scrape(mport);
  EXPECT_EQ(moved(before, answered, "fathom_store_lookup_seconds_count"), 1);
  EXPECT_EQ(moved(before, answered, "fathom_store_errors_total"), 0);
  EXPECT_EQ(moved(before, answered, R"(fathom_auth_total{outcome="valid"})"), 1);

  redis.stop();
  ASSERT_TRUE(wait_ready_status(fleet.port(0), 503, std::chrono::seconds(10)));
  const Samples down = scrape(mport);
  EXPECT_EQ(get_stats(fleet.port(0), unminted_token()).status, 503);
  const Samples failed = scrape(mport);
  EXPECT_EQ(moved(down, failed, "fathom_store_lookup_seconds_count"), 1);
  EXPECT_EQ(moved(down, failed, "fathom_store_errors_total"), 1);
  EXPECT_EQ(moved(down, failed, R"(fathom_auth_total{outcome="store_unavailable"})"), 1);
  EXPECT_EQ(moved(down, failed, R"(fathom_requests_total{class="5xx"})"), 1);
  // The metrics listener answers while the store is down: it never asks the store.
  EXPECT_EQ(fetch(mport, "GET", "/metrics").status, 200);
}

TEST(Metrics, HistogramBucketsAreCumulativeAndEndAtTheCount) {
  const uint16_t mport = free_port();
  ProxyUnderTest p(with_metrics_on(mport));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fetch(p.port(), "GET", "/v1/stats").status, 200);
  const Samples s = scrape(mport);
  for (const std::string family :
       {"fathom_store_lookup_seconds", "fathom_upstream_response_seconds"}) {
    SCOPED_TRACE(family);
    // Sorted by their bound, the buckets never decrease and end at +Inf, which is the count.
    std::vector<std::pair<double, double>> buckets;
    const std::string prefix = family + "_bucket{le=\"";
    for (const auto& [series, value] : s) {
      if (!series.starts_with(prefix)) continue;
      const std::string le = series.substr(prefix.size(), series.size() - prefix.size() - 2);
      buckets.emplace_back(le == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(le),
                           value);
    }
    std::sort(buckets.begin(), buckets.end());
    ASSERT_GE(buckets.size(), 2u);
    for (size_t i = 1; i < buckets.size(); ++i) {
      EXPECT_LT(buckets[i - 1].first, buckets[i].first);
      EXPECT_LE(buckets[i - 1].second, buckets[i].second) << "le " << buckets[i].first;
    }
    EXPECT_EQ(buckets.back().first, std::numeric_limits<double>::infinity());
    EXPECT_EQ(buckets.back().second, s.at(family + "_count"));
  }
  EXPECT_EQ(s.at("fathom_upstream_response_seconds_count"), 3);
  // Every route is public here: nothing was authenticated.
  EXPECT_EQ(s.at(R"(fathom_auth_total{outcome="valid"})"), 0);
  EXPECT_EQ(s.at("fathom_store_lookup_seconds_count"), 0);
}

TEST(Metrics, ATunnelIsCountedWhileOpen) {
  const uint16_t mport = free_port();
  ProxyUnderTest p(with_metrics_on(mport));
  {
    WebSocketClient ws = WebSocketClient::open(p.port());
    const Samples open = scrape(mport);
    EXPECT_EQ(open.at("fathom_open_tunnels"), 1);
    EXPECT_GE(open.at("fathom_open_connections"), 1);
    EXPECT_EQ(open.at(R"(fathom_requests_total{class="1xx"})"), 1);
  }
  // The client closed; the daemon notices on its own loop.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  double tunnels = 1;
  while (tunnels != 0 && std::chrono::steady_clock::now() < deadline) {
    tunnels = scrape(mport).at("fathom_open_tunnels");
    if (tunnels != 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(tunnels, 0);
}

TEST(Metrics, TheMetricsListenerServesOnlyGetMetrics) {
  const uint16_t mport = free_port();
  ProxyUnderTest p(with_metrics_on(mport));
  EXPECT_EQ(fetch(mport, "GET", "/").status, 404);
  EXPECT_EQ(fetch(mport, "GET", "/healthz").status, 404);
  EXPECT_EQ(fetch(mport, "GET", "/v1/stats").status, 404);
  Response post = fetch(mport, "POST", "/metrics", "", "x");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("Allow").value_or(""), "GET, HEAD");
  EXPECT_EQ(p.lake.record_bytes(), 0u) << "the metrics listener forwarded something to the lake";
}

TEST(Metrics, TheMainListenerDoesNotServeTheMetrics) {
  const uint16_t mport = free_port();
  TokenProxy p(with_metrics_on(mport));
  // Like any other lake route: a token first, and then the lake answers, not the daemon.
  Response anonymous = fetch(p.port(), "GET", "/metrics");
  EXPECT_EQ(anonymous.status, 401);
  Response with_token = fetch(p.port(), "GET", "/metrics", bearer(p.admin_token));
  EXPECT_EQ(with_token.body.find("fathom_requests_total"), std::string::npos) << with_token.body;
  EXPECT_NE(with_token.header("Content-Type").value_or(""),
            "text/plain; version=0.0.4; charset=utf-8");
}

TEST(Metrics, EmptyListenTurnsTheListenerOff) {
  ProxyUnderTest p([](nlohmann::json& config) { config["metrics"] = {{"listen", ""}}; });
  EXPECT_TRUE(p.daemon.wait_for_stderr("\"metrics\":\"off\"", std::chrono::seconds(10)))
      << p.daemon.stderr_text();
}

TEST(Metrics, ATakenMetricsAddressStopsTheStart) {
  // Something else holds the address: the daemon says so and exits rather than serve unwatched.
  const int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  TempDir dir;
  nlohmann::json config = DaemonProcess::bare_config(free_port());
  config["listen"] = {"127.0.0.1:" + std::to_string(free_port())};
  config["state_dir"] = dir.file("state");
  config["metrics"] = {{"listen", taken}};
  RunResult run = run_to_exit({daemon_binary(), "serve", "--config", write_config(dir, config)},
                              dir.path(), std::chrono::seconds(30));
  ::close(holder);
  ASSERT_FALSE(run.timed_out) << run.err;
  EXPECT_EQ(run.status.code, 1) << run.status.describe() << "\n" << run.err;
  EXPECT_NE(run.err.find("metrics.listen: cannot listen on " + taken), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace fathom::test
