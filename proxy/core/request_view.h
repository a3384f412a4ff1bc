// The plugin-facing view of a request (fathom::Request) over the parsed head. Authorization is
// hidden from plugins: they get the identity, never the secret.
#pragma once

#include <string_view>

#include "fathom/plugin.h"
#include "http/message.h"

namespace fathom {

class RequestView final : public Request {
 public:
  RequestView(const http::RequestHead& head, std::string_view client, std::string_view request_id,
              const Identity* identity)
      : head_(head), client_(client), request_id_(request_id), identity_(identity) {}

  std::string_view method() const override { return head_.method; }
  std::string_view path() const override { return head_.path; }
  std::string_view query() const override { return head_.query; }
  std::optional<std::string_view> header(std::string_view name) const override {
    if (http::iequals(name, "authorization")) return std::nullopt;
    if (const http::Header* h = head_.find(name)) return h->value;
    return std::nullopt;
  }
  std::string_view client_address() const override { return client_; }
  std::string_view request_id() const override { return request_id_; }
  const Identity* identity() const override { return identity_; }

 private:
  const http::RequestHead& head_;
  std::string_view client_;
  std::string_view request_id_;
  const Identity* identity_;
};

}  // namespace fathom
