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
