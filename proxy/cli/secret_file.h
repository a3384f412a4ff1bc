// Writes a freshly minted token to a file for a client to read, as `rotate --out` does when a
// systemd timer rotates a token unattended (its stdout goes to the journal, where no secret may
// go). The file is replaced atomically, so a client reading it sees the old token or the new
// one, never half of either.
#pragma once

#include <sys/stat.h>

#include <string>

namespace fathom::cli {

class SecretFile {
 public:
  // Opens a private (0600) temporary file beside `path` now, before anything is minted, so that
  // a folder we cannot write to fails the command while nothing has changed. A file already at
  // `path` lends it its owner, group and mode, minus any access for others. Throws CliError.
  explicit SecretFile(std::string path);
  ~SecretFile();
  SecretFile(const SecretFile&) = delete;
  SecretFile& operator=(const SecretFile&) = delete;

  // Writes `secret` and a newline, syncs it and renames it over the target. Throws CliError,
  // naming the file, never the secret.
  void commit(const std::string& secret);
  const std::string& path() const { return path_; }

 private:
  void keep_access_of(const struct stat& st);

  std::string path_;
  std::string temp_;
  int fd_ = -1;
};

}  // namespace fathom::cli
