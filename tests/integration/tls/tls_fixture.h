// What the TLS integration tests share: a CA made for the test, the daemon's certificate and key
// written where its config points, and a daemon whose readiness is checked over TLS.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/binaries.h"
#include "support/child_process.h"
#include "support/daemon_process.h"
#include "support/lake_process.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"
#include "support/tls_client.h"
#include "support/token_api.h"

namespace fathom::test::tls_tests {

// The CA, and one certificate for localhost/127.0.0.1 as cert.pem/key.pem, in `files`.
struct TlsFiles {
  TlsFiles() : served(ca.issue_localhost()) {
    ca.write_cert(ca_path());
    served.write(cert_path(), key_path());
  }
  std::string ca_path() const { return files.file("ca.pem"); }
  std::string cert_path() const { return files.file("cert.pem"); }
  std::string key_path() const { return files.file("key.pem"); }
  // Adds tls.cert and tls.key to `config`.
  void enable(nlohmann::json& config) const {
    config["tls"] = {{"cert", cert_path()}, {"key", key_path()}};
  }

  TempDir files;
  TestCa ca;
  IssuedCert served;
};

// Up once GET /healthz answers 200 over TLS, trusting `ca_file`.
inline DaemonOptions tls_ready(const std::string& ca_file) {
  DaemonOptions options;
  options.ready_check = [ca_file](uint16_t port) {
    try {
      return fetch_tls(port, ca_file, "GET", "/healthz").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  };
  return options;
}

// A lake and a daemon with the token routes behind a TLS listener, and its bootstrap admin token.
struct TlsDaemonTest : ::testing::Test {
  TlsFiles tls;
  LakeProcess lake;
  DaemonProcess daemon{[this] {
                         nlohmann::json c = token_config(lake.port());
                         tls.enable(c);
                         return c;
                       }(),
                       tls_ready(tls.ca_path())};
  std::string admin_token = read_bootstrap_token(state_dir_of(daemon));
  TempDir scratch;
};

// curl with `args`, to its end; the scratch folder keeps its output.
inline RunResult curl(const TempDir& scratch, std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/curl", "--silent", "--show-error", "--max-time", "20"});
  return run_to_exit(args, scratch.path(), std::chrono::seconds(30));
}

inline std::string url_of(uint16_t port, const std::string& path) {
  return "https://localhost:" + std::to_string(port) + path;
}

}  // namespace fathom::test::tls_tests
