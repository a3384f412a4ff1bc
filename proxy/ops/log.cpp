#include "ops/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <ctime>

namespace fathom::log {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevelSetting::info)};

std::string_view level_name(LogLevelSetting l) {
  switch (l) {
    case LogLevelSetting::debug:
      return "debug";
    case LogLevelSetting::info:
      return "info";
    case LogLevelSetting::warn:
      return "warn";
    case LogLevelSetting::error:
      return "error";
  }
  return "info";
}

void append_time(std::string& out) {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(us / 1'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                        static_cast<long long>(us % 1'000'000));
  out.append(buf, static_cast<size_t>(n));
}

// The lines a thread holds (see hold_lines), and whom to tell when the first one arrives.
struct Held {
  void (*wake)(void*) = nullptr;
  void* arg = nullptr;
  std::string lines;
};
thread_local Held t_held;
// A write of at most PIPE_BUF bytes to a pipe is atomic: held lines go out in writes no larger,
// so that two workers' batches never interleave inside a line.
constexpr size_t kHeldMax = PIPE_BUF;

// A single write keeps lines whole across threads; a short write to a pipe is retried.
void write_all(std::string_view text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report a failing stderr
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void hold_lines(void (*wake)(void*), void* arg) {
  flush_held();
  t_held.wake = wake;
  t_held.arg = arg;
}

void flush_held() {
  if (t_held.lines.empty()) return;
  write_all(t_held.lines);
  t_held.lines.clear();
}

void set_level(LogLevelSetting level) {
  g_level.store(static_cast<int>(level));
}

bool enabled(LogLevelSetting level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void append_json_escaped(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

void write(LogLevelSetting level, std::string_view event, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  // One buffer per thread keeps logging allocation-free once warmed up.
  thread_local std::string line;
  line.clear();
  line += "{\"time\":\"";
  append_time(line);
  line += "\",\"level\":\"";
  line += level_name(level);
  line += "\",\"event\":\"";
  append_json_escaped(line, event);
  line += '"';
  for (const Field& f : fields) {
    line += ",\"";
    append_json_escaped(line, f.key);
    line += "\":";
    if (auto* s = std::get_if<std::string_view>(&f.value)) {
      line += '"';
      append_json_escaped(line, *s);
      line += '"';
    } else if (auto* i = std::get_if<long long>(&f.value)) {
      line += std::to_string(*i);
    } else if (auto* d = std::get_if<double>(&f.value)) {
      char buf[32];
      int n = std::snprintf(buf, sizeof buf, "%.3f", *d);
      line.append(buf, static_cast<size_t>(n));
    } else if (auto* b = std::get_if<bool>(&f.value)) {
      line += *b ? "true" : "false";
    }
  }
  line += "}\n";
  if (t_held.wake == nullptr) {
    write_all(line);
    return;
  }
  if (!t_held.lines.empty() && t_held.lines.size() + line.size() > kHeldMax) flush_held();
  const bool first = t_held.lines.empty();
  t_held.lines += line;
  if (level >= LogLevelSetting::warn) {
    flush_held();
  } else if (first) {
    t_held.wake(t_held.arg);
  }
}

}  // namespace fathom::log
