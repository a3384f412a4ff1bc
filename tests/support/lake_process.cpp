#include "support/lake_process.h"

#include <signal.h>
#include <sys/stat.h>

#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/binaries.h"

namespace fathom::test {

namespace {

constexpr std::chrono::seconds kStartTimeout{30};  // generous: sanitizer builds start slowly

}  // namespace

LakeProcess::LakeProcess() : record_path_(dir_.file("lake-record.jsonl")) {
  ChildSpec spec;
  spec.argv = {lake_binary(), "--listen", "127.0.0.1:0", "--record", record_path_, "--quiet"};
  // stdout goes to a file rather than a pipe: nothing has to keep draining it.
  spec.stdout_path = dir_.file("lake.stdout");
  spec.stderr_path = dir_.file("lake.stderr");
  child_ = std::make_unique<ChildProcess>(spec);

  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  for (;;) {
    std::string out = read_file(spec.stdout_path);
    size_t at = out.find("listening 127.0.0.1:");
    if (at != std::string::npos) {
      size_t end = out.find('\n', at);
      if (end != std::string::npos) {
        port_ = static_cast<uint16_t>(std::stoi(out.substr(at + 20, end - at - 20)));
        return;
      }
    }
    if (!child_->running()) {
      throw std::runtime_error("fathom-lake ended before listening (" +
                               child_->exit_status()->describe() + "): " + stderr_text());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("fathom-lake printed no \"listening\" line within 30 s; stdout: \"" +
                               out + "\" stderr: " + stderr_text());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

LakeProcess::~LakeProcess() {
  stop();
}

std::vector<nlohmann::json> LakeProcess::recorded_heads() const {
  std::vector<nlohmann::json> heads;
  std::istringstream in(read_file(record_path_));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded()) heads.push_back(std::move(j));
  }
  return heads;
}

size_t LakeProcess::record_bytes() const {
  struct stat st {};
  if (::stat(record_path_.c_str(), &st) != 0) return 0;
  return static_cast<size_t>(st.st_size);
}

bool LakeProcess::wait_for_heads(size_t count, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (recorded_heads().size() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string LakeProcess::stderr_text() const {
  return read_file(dir_.file("lake.stderr"));
}

void LakeProcess::stop() {
  if (!child_ || !child_->running()) return;
  child_->send_signal(SIGTERM);
  if (!child_->wait_for(std::chrono::seconds(5))) child_->kill_and_wait();
}

}  // namespace fathom::test
