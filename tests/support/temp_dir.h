// A private scratch folder per test: configs, state_dir, logs, the lake's record file.
#pragma once

#include <string>
#include <string_view>

namespace fathom::test {

class TempDir {
 public:
  TempDir();  // creates $TMPDIR/fathom-it-XXXXXX (or /tmp)
  // Removes the folder, unless the running test has failed: then it is kept and its path
  // printed, because the daemon's log in it is what explains the failure.
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// Whole-file helpers for the small text files tests write and read.
void write_file(const std::string& path, std::string_view content);
std::string read_file(const std::string& path);  // empty if the file does not exist

}  // namespace fathom::test
