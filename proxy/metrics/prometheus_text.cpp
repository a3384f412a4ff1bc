#include "metrics/prometheus_text.h"

#include <array>
#include <charconv>
#include <cmath>

namespace fathom::metrics {
namespace {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(std::string_view name, uint64_t value) {
    sample(name, {}, {}, std::to_string(value));
  }

  void sample(std::string_view name, std::string_view label, std::string_view label_value,
              std::string_view value) {
    out_ += name;
    if (!label.empty()) {
      out_ += '{';
      out_ += label;
      out_ += "=\"";
      out_ += escape_label_value(label_value);
      out_ += "\"}";
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }

  void histogram(std::string_view name, std::string_view help, const HistogramTotals& h) {
    family(name, "histogram", help);
    const std::string bucket = std::string(name) + "_bucket";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < h.bounds.size(); ++i) {
      cumulative += h.buckets[i];
      sample(bucket, "le", format_number(h.bounds[i]), std::to_string(cumulative));
    }
    sample(bucket, "le", "+Inf", std::to_string(h.count()));
    sample(std::string(name) + "_sum", {}, {}, format_number(static_cast<double>(h.sum_ns) / 1e9));
    sample(std::string(name) + "_count", h.count());
  }

 private:
  std::string& out_;
};

constexpr std::array<std::string_view, kStatusClasses> kClassNames = {"1xx", "2xx", "3xx", "4xx",
                                                                      "5xx"};

}  // namespace

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];  // fixed notation of the largest double fits
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string prometheus_text(const Totals& t, const ProcessInfo& process) {
  std::string out;
  out.reserve(4096);
  Writer w(out);

  w.family("fathom_requests_total", "counter",
           "Requests answered on the main listener, proxied or local, by status class.");
  for (size_t i = 0; i < kStatusClasses; ++i) {
    w.sample("fathom_requests_total", "class", kClassNames[i], std::to_string(t.requests[i]));
  }

  w.family("fathom_auth_total", "counter",
           "Authentications of requests to routes that need a token, by outcome.");
  for (size_t i = 0; i < kAuthLabels; ++i) {
    w.sample("fathom_auth_total", "outcome", name(static_cast<AuthLabel>(i)),
             std::to_string(t.auth[i]));
  }

  w.family("fathom_cache_hits_total", "counter",
           "Well-formed tokens answered from the validation cache.");
  w.sample("fathom_cache_hits_total", t.cache_hits);
  w.family("fathom_cache_misses_total", "counter",
           "Well-formed tokens the validation cache could not answer.");
  w.sample("fathom_cache_misses_total", t.cache_misses);

  w.histogram("fathom_store_lookup_seconds",
              "Token store lookups by the authenticator, from asking to the answer.",
              t.store_lookup);
  w.family("fathom_store_errors_total", "counter",
           "Token store lookups the store could not answer (unreachable or failing).");
  w.sample("fathom_store_errors_total", t.store_errors);

  w.histogram("fathom_upstream_response_seconds",
              "From sending a request head to the lake to receiving its response head.",
              t.upstream_response);

  w.family("fathom_open_connections", "gauge", "Client connections open on the main listener.");
  w.sample("fathom_open_connections", t.open_connections);
  w.family("fathom_open_tunnels", "gauge", "Upgrade tunnels (WebSockets) open to the lake.");
  w.sample("fathom_open_tunnels", t.open_tunnels);
  w.family("fathom_local_body_bytes", "gauge",
           "Bytes of request bodies held for locally answered routes (limits.max_local_body_bytes "
           "per worker).");
  w.sample("fathom_local_body_bytes", t.local_body_bytes);
  w.family("fathom_overloaded_total", "counter",
           "Requests refused with 503 overloaded because a bounded resource was full.");
  w.sample("fathom_overloaded_total", t.overloaded);

  w.family("fathom_build_info", "gauge", "Always 1; the version of the running daemon.");
  w.sample("fathom_build_info", "version", process.version, "1");
  w.family("fathom_start_time_seconds", "gauge", "When the daemon started, in Unix time.");
  w.sample("fathom_start_time_seconds", {}, {}, format_number(process.start_time_seconds));
  return out;
}

}  // namespace fathom::metrics
