// --record FILE: one JSON line per request head received, appended and flushed at once, so a test
// can tell whether (and exactly what) a request reached the lake, even if the lake is killed.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace fathom::lake {

class RequestRecorder {
 public:
  // nullptr, with `error` set, if the file cannot be opened for appending.
  static std::unique_ptr<RequestRecorder> open(const std::string& path, std::string& error);
  ~RequestRecorder();
  RequestRecorder(const RequestRecorder&) = delete;
  RequestRecorder& operator=(const RequestRecorder&) = delete;

  void record(const nlohmann::ordered_json& request);

 private:
  explicit RequestRecorder(std::FILE* file) : file_(file) {}
  std::FILE* file_;
};

}  // namespace fathom::lake
