#include "core/bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <future>
#include <stdexcept>
#include <vector>

#include "auth/token_format.h"

namespace fathom {

std::string bootstrap_detail(BootstrapWhen when, const std::vector<TokenRecord>& all,
                             UnixTime now) {
  switch (when) {
    case BootstrapWhen::store_empty:
      return "bootstrap: first start with an empty store";
    case BootstrapWhen::no_lasting_admin:
      return "bootstrap: fathom-auth bootstrap, no lasting admin token was active";
    case BootstrapWhen::forced:
      break;
  }
  std::string active;
  for (const TokenRecord& t : all) {
    if (t.is_admin(now)) active += (active.empty() ? "" : " ") + t.token_id;
  }
  return "forced bootstrap: fathom-auth bootstrap --force on the host; admin tokens active then: " +
         (active.empty() ? std::string("none") : active);
}

namespace {

void record_created(AuditLog& audit, const TokenRecord& record, std::string detail) {
  AuditEvent event;
  event.time = record.created_at;
  event.kind = "token.created";
  event.token_id = record.token_id;
  event.detail = std::move(detail);
  std::promise<bool> durable;
  auto written = durable.get_future();
  audit.record_durable(std::move(event), [&durable](bool ok) { durable.set_value(ok); });
  // The token exists already: say so, so the operator revokes it rather than wonder.
  if (!written.get()) {
    throw std::runtime_error("token " + record.token_id +
                             " was minted but its audit event could not be written; see the "
                             "audit directory, and revoke " +
                             record.token_id + " once the audit trail is writable");
  }
}

}  // namespace

std::optional<BootstrapToken> mint_bootstrap_token(TokenStore& store,
                                                   const auth::TokenHasher& hasher, AuditLog* audit,
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
  if (when == BootstrapWhen::no_lasting_admin) {
    for (const TokenRecord& t : all) {
      if (t.is_lasting_admin(now)) {
        throw std::runtime_error(
            "a lasting admin token is active (" + t.token_id + ", \"" + t.name +
            "\"); use it to mint more instead of bootstrapping. If it is lost or in the wrong "
            "hands, stop the daemon and run fathom-auth bootstrap --force (see "
            "docs/operations.md, \"Recovering admin access\")");
      }
    }
  }
  TokenRecord record;
  std::string secret = auth::generate_token();
  record.token_id = auth::generate_token_id();
  record.secret_hash = hasher.hash(secret);
  record.name = "bootstrap-admin";
  record.scopes = {"admin"};
  record.created_at = now;
  const TokenRecord sent = record;
  std::promise<StoreResult> done;
  auto result = done.get_future();
  store.create(std::move(record), [&done](StoreResult r) { done.set_value(std::move(r)); });
  StoreResult r = result.get();
  if (r.status != StoreStatus::ok) {
    throw std::runtime_error("cannot store the bootstrap token: " + r.message);
  }
  if (audit != nullptr) record_created(*audit, sent, bootstrap_detail(when, all, now));
  return BootstrapToken{std::move(secret), sent.token_id};
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
