// Helpers for the store tests: a temporary store directory, token records, and synchronous
// wrappers around the asynchronous write calls.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "fathom/token_store.h"

namespace fathom::store::store_test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/fathom-store-test-XXXXXX";
    if (!::mkdtemp(pattern.data())) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline TokenRecord make_token(const std::string& id,
                              std::vector<std::string> scopes = {"lake:read"},
                              UnixTime created_at = 1000) {
  TokenRecord t;
  t.token_id = id;
  t.secret_hash = "hash-" + id;
  t.name = "name of " + id;
  t.scopes = std::move(scopes);
  t.created_at = created_at;
  t.created_by = "tok_creator";
  return t;
}

inline TokenRecord make_admin(const std::string& id, UnixTime created_at = 1000) {
  return make_token(id, {"admin"}, created_at);
}

inline StoreResult create_sync(TokenStore& store, TokenRecord record) {
  std::promise<StoreResult> p;
  std::future<StoreResult> f = p.get_future();
  store.create(std::move(record), [&p](StoreResult r) { p.set_value(std::move(r)); });
  return f.get();
}

inline StoreResult revoke_sync(TokenStore& store, std::string_view id, UnixTime now) {
  std::promise<StoreResult> p;
  std::future<StoreResult> f = p.get_future();
  store.revoke(id, now, [&p](StoreResult r) { p.set_value(std::move(r)); });
  return f.get();
}

inline StoreResult rotate_sync(TokenStore& store, std::string_view id, TokenRecord replacement,
                               std::optional<UnixTime> old_expires_at) {
  std::promise<StoreResult> p;
  std::future<StoreResult> f = p.get_future();
  store.rotate(id, std::move(replacement), old_expires_at,
               [&p](StoreResult r) { p.set_value(std::move(r)); });
  return f.get();
}

inline StoreResult expire_sync(TokenStore& store, std::string_view id, UnixTime now) {
  std::promise<StoreResult> p;
  std::future<StoreResult> f = p.get_future();
  store.expire(id, now, [&p](StoreResult r) { p.set_value(std::move(r)); });
  return f.get();
}

// A pair code for tokens named after it, pending from 1000 until `expires_at`.
inline PairCodeRecord make_pair_code(const std::string& id, UnixTime expires_at = 1600) {
  PairCodeRecord c;
  c.pair_code_id = id;
  c.code_hash = "code-hash-" + id;
  c.name = "agent of " + id;
  c.scopes = {"lake:read"};
  c.created_at = 1000;
  c.expires_at = expires_at;
  c.created_by = "tok_pairer";
  return c;
}

inline StoreResult create_pair_code_sync(TokenStore& store, PairCodeRecord code) {
  std::promise<StoreResult> p;
  std::future<StoreResult> f = p.get_future();
  store.create_pair_code(std::move(code), [&p](StoreResult r) { p.set_value(std::move(r)); });
  return f.get();
}

inline StoreResult cancel_pair_code_sync(TokenStore& store, std::string_view id, UnixTime now) {
  std::promise<StoreResult> p;
  std::future<StoreResult> f = p.get_future();
  store.cancel_pair_code(id, now, [&p](StoreResult r) { p.set_value(std::move(r)); });
  return f.get();
}

// Redeems the code with `code_hash` for a new token `token_id` at `now`.
inline StoreResult redeem_sync(TokenStore& store, std::string_view code_hash,
                               const std::string& token_id, UnixTime now) {
  TokenRecord token;
  token.token_id = token_id;
  token.secret_hash = "hash-" + token_id;
  token.created_at = now;
  std::promise<StoreResult> p;
  std::future<StoreResult> f = p.get_future();
  store.redeem_pair_code(code_hash, std::move(token),
                         [&p](StoreResult r) { p.set_value(std::move(r)); });
  return f.get();
}

inline std::vector<PairCodeRecord> pending_codes(TokenStore& store, UnixTime now) {
  std::vector<PairCodeRecord> out;
  store.list_pair_codes(
      now, [&](StoreStatus, std::vector<PairCodeRecord> codes) { out = std::move(codes); });
  return out;
}

// The record as get() sees it, or nullopt when not found.
inline std::optional<TokenRecord> get_copy(TokenStore& store, std::string_view id) {
  std::optional<TokenRecord> out;
  store.get(id, [&](StoreStatus status, const TokenRecord* r) {
    if (status == StoreStatus::ok && r) out = *r;
  });
  return out;
}

inline std::vector<TokenRecord> list_all(TokenStore& store) {
  std::vector<TokenRecord> out;
  store.list([&](StoreStatus, std::vector<TokenRecord> all) { out = std::move(all); });
  return out;
}

inline std::string read_bytes(const std::filesystem::path& file) {
  std::string bytes(std::filesystem::file_size(file), '\0');
  std::ifstream in(file, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

inline void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace fathom::store::store_test
