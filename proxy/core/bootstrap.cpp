#include "core/bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <future>
#include <stdexcept>

#include "auth/token_format.h"

namespace fathom {

std::optional<std::string> mint_bootstrap_token(TokenStore& store, const auth::TokenHasher& hasher,
                                                BootstrapWhen when) {
  const UnixTime now = static_cast<UnixTime>(std::time(nullptr));
  // A store may answer on its own thread (Redis): wait for it.
  std::promise<std::pair<StoreStatus, std::vector<TokenRecord>>> listed;
  auto answer = listed.get_future();
  store.list([&listed](StoreStatus s, std::vector<TokenRecord> tokens) {
    listed.set_value({s, std::move(tokens)});
  });
  auto [status, all] = answer.get();
  if (status != StoreStatus::ok) throw std::runtime_error("the token store did not answer");
  if (when == BootstrapWhen::store_empty && !all.empty()) return std::nullopt;
  for (const TokenRecord& t : all) {
    if (t.is_admin(now)) {
      if (when == BootstrapWhen::store_empty) return std::nullopt;
      throw std::runtime_error("an admin token is active (" + t.token_id + ", \"" + t.name +
                               "\"); use it to mint more instead of bootstrapping");
    }
  }
  TokenRecord record;
  std::string secret = auth::generate_token();
  record.token_id = auth::generate_token_id();
  record.secret_hash = hasher.hash(secret);
  record.name = "bootstrap-admin";
  record.scopes = {"admin"};
  record.created_at = now;
  std::promise<StoreResult> done;
  auto result = done.get_future();
  store.create(std::move(record), [&done](StoreResult r) { done.set_value(std::move(r)); });
  StoreResult r = result.get();
  if (r.status != StoreStatus::ok) {
    throw std::runtime_error("cannot store the bootstrap token: " + r.message);
  }
  return secret;
}

void write_secret_file(const std::string& path, const std::string& secret) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // whatever the umask or an older file said
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(err));
  }
}

}  // namespace fathom
