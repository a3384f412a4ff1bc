// Certificates made at test time with OpenSSL's C API: a CA, and certificates it issues for the
// names and addresses a test connects to. Keys are EC P-256, quick to make; nothing is cached
// between tests and nothing is checked in.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace fathom::test {

struct IssuedCert {
  std::string cert_pem;     // the leaf only
  std::string key_pem;      // its private key, PKCS#8
  std::string fingerprint;  // SHA-256 of the DER certificate, lowercase hex

  // Writes both PEM files (the key with mode 0600, as a real one would be kept).
  void write(const std::string& cert_path, const std::string& key_path) const;
};

class TestCa {
 public:
  explicit TestCa(const std::string& common_name = "fathom test CA");

  // The CA's own certificate, for --cacert, --ca-file and upstream.ca_file.
  const std::string& cert_pem() const { return cert_pem_; }
  void write_cert(const std::string& path) const;

  // A server certificate for `dns_names` and `ip_addresses` (subjectAltName), valid from an hour
  // ago for a day.
  IssuedCert issue(const std::string& common_name, const std::vector<std::string>& dns_names,
                   const std::vector<std::string>& ip_addresses) const;
  // The usual one: localhost and 127.0.0.1.
  IssuedCert issue_localhost() const { return issue("localhost", {"localhost"}, {"127.0.0.1"}); }

 private:
  struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  struct CertFree {
    void operator()(X509* c) const { X509_free(c); }
  };
  std::unique_ptr<EVP_PKEY, KeyFree> key_;
  std::unique_ptr<X509, CertFree> cert_;
  std::string cert_pem_;
};

}  // namespace fathom::test
