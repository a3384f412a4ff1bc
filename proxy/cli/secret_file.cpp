#include "cli/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "cli/cli_error.h"
#include "cli/exit_codes.h"

namespace fathom::cli {

namespace {

std::string folder_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw CliError(kExitLocal, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

SecretFile::SecretFile(std::string path) : path_(std::move(path)) {
  if (path_.empty() || path_.back() == '/') {
    throw CliError(kExitUsage, "--out needs a file name, not '" + path_ + "'");
  }
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    throw CliError(kExitLocal, "--out " + path_ + " exists and is not a regular file");
  }
  temp_ = path_ + ".XXXXXX";
  // mkostemp creates the file 0600: the secret is never readable by others, not even briefly.
  fd_ = ::mkostemp(temp_.data(), O_CLOEXEC);
  if (fd_ < 0) fail("cannot create a file beside", path_);
  if (exists) {
    try {
      keep_access_of(st);
    } catch (...) {
      // The constructor did not finish, so the destructor will not run: clean up here.
      ::close(fd_);
      ::unlink(temp_.c_str());
      throw;
    }
  }
}

// The client that reads the file (often another user, through its group) must still be able
// to after the swap: the new file gets the old one's owner, group and mode, never bits for
// others. Only root can give a file away; anyone else may keep the group if they are in it.
// Anything less would lock the client out once the old token expires, so it fails the command
// now, before anything is minted.
void SecretFile::keep_access_of(const struct stat& st) {
  if (::fchown(fd_, st.st_uid, st.st_gid) != 0) {
    if (errno != EPERM) fail("cannot chown", temp_);
    if (::fchown(fd_, static_cast<uid_t>(-1), st.st_gid) != 0 && errno != EPERM) {
      fail("cannot chown", temp_);
    }
  }
  struct stat now {};
  if (::fstat(fd_, &now) != 0) fail("cannot stat", temp_);
  if (now.st_uid != st.st_uid || now.st_gid != st.st_gid) {
    throw CliError(kExitLocal, "--out " + path_ + " belongs to uid " + std::to_string(st.st_uid) +
                                   ", gid " + std::to_string(st.st_gid) +
                                   "; the replacement could not keep them (run as root or as "
                                   "its owner), so nothing was changed");
  }
  if (::fchmod(fd_, st.st_mode & 0770) != 0) fail("cannot chmod", temp_);
}

SecretFile::~SecretFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

void SecretFile::commit(const std::string& secret) {
  const std::string text = secret + "\n";
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write", temp_);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) fail("cannot sync", temp_);
  ::close(fd_);
  fd_ = -1;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp_.c_str());
    errno = saved;
    fail("cannot replace", path_);
  }
  // The rename itself must survive a crash, or a reboot could bring back the revoked token.
  const int dir = ::open(folder_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace fathom::cli
