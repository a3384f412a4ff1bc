// JSON lines on stderr, one per event, written with a single write(2) so that lines from several
// threads never interleave. journald reads them as they are. Never pass a secret or a query string.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.h"

namespace fathom::log {

using Value = std::variant<std::string_view, long long, double, bool>;
struct Field {
  std::string_view key;
  Value value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, long long v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<long long>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<long long>(v)) {}
  Field(std::string_view k, long v) : key(k), value(static_cast<long long>(v)) {}
  Field(std::string_view k, unsigned long v) : key(k), value(static_cast<long long>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
};

void set_level(LogLevelSetting level);
bool enabled(LogLevelSetting level);

// {"time":"…","level":"info","event":"<event>", fields…}
void write(LogLevelSetting level, std::string_view event, std::initializer_list<Field> fields);

inline void debug(std::string_view event, std::initializer_list<Field> f = {}) {
  write(LogLevelSetting::debug, event, f);
}
inline void info(std::string_view event, std::initializer_list<Field> f = {}) {
  write(LogLevelSetting::info, event, f);
}
inline void warn(std::string_view event, std::initializer_list<Field> f = {}) {
  write(LogLevelSetting::warn, event, f);
}
inline void error(std::string_view event, std::initializer_list<Field> f = {}) {
  write(LogLevelSetting::error, event, f);
}

// A thread that handles many requests per loop turn (a worker) may hold its info and debug lines
// and write them together, one write(2) per turn instead of one per request. While held, a
// line goes to this thread's buffer; the first one calls `wake` (the worker activates an event
// that runs once the loop's ready callbacks are done), and flush_held() writes them all. A warn
// or error line flushes at once, so nothing serious waits; writes never exceed PIPE_BUF, so lines
// stay whole even on a pipe. Call from the thread itself; hold_lines(nullptr) flushes and stops.
void hold_lines(void (*wake)(void*), void* arg);
void flush_held();

// Appends `s` to `out` as the inside of a JSON string (quotes not included).
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace fathom::log
