// A TLS terminator in front of the test lake, for https:// upstream tests: it accepts TLS on
// 127.0.0.1 (a port of its own), and relays the plaintext both ways to the lake's port, one
// thread per connection. It counts completed handshakes, the evidence that the proxy reuses its
// pooled upstream connections over TLS.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fathom::test {

class TlsFront {
 public:
  // Serves `cert_path`/`key_path` (PEM) and relays to 127.0.0.1:backend_port. Throws
  // std::runtime_error if it cannot listen or load the files.
  TlsFront(uint16_t backend_port, const std::string& cert_path, const std::string& key_path);
  ~TlsFront();
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int handshakes() const { return handshakes_.load(); }
  int failed_handshakes() const { return failed_handshakes_.load(); }

 private:
  void accept_loop();
  void relay(int client_fd);

  uint16_t backend_port_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};  // written once to wake every thread for the end
  uint16_t port_ = 0;
  std::atomic<int> handshakes_{0};
  std::atomic<int> failed_handshakes_{0};
  std::mutex mu_;
  std::vector<std::thread> relays_;
  std::thread acceptor_;
};

}  // namespace fathom::test
