// Renders the metrics in Prometheus' text exposition format, version 0.0.4: every family with
// its # HELP and # TYPE lines, counters named *_total, histograms as cumulative _bucket{le=...}
// samples ending in +Inf, then _sum (seconds) and _count.
#pragma once

#include <string>
#include <string_view>

#include "metrics/snapshot.h"

namespace fathom::metrics {

// The Content-Type a scraper expects for this format.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct ProcessInfo {
  std::string_view version;   // fathom_build_info{version=...}
  double start_time_seconds;  // Unix time, as process_start_time_seconds has it
};

std::string prometheus_text(const Totals& totals, const ProcessInfo& process);

// A number as the format writes it: the shortest decimal that reads back as the same double,
// never in exponent notation ("0.0001", "2.5", "60").
std::string format_number(double v);

// A label value with \, " and line feeds escaped.
std::string escape_label_value(std::string_view v);

}  // namespace fathom::metrics
