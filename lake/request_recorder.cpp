#include "request_recorder.h"

#include <cerrno>
#include <cstring>

#include "responses.h"

namespace fathom::lake {

std::unique_ptr<RequestRecorder> RequestRecorder::open(const std::string& path,
                                                       std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "ae");
  if (file == nullptr) {
    error = "cannot open " + path + " for appending: " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<RequestRecorder>(new RequestRecorder(file));
}

RequestRecorder::~RequestRecorder() {
  std::fclose(file_);
}

void RequestRecorder::record(const nlohmann::ordered_json& request) {
  std::string line = dump_json(request);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace fathom::lake
