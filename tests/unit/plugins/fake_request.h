// A Request with fixed fields, for calling policies directly in unit tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fathom/plugin.h"

namespace fathom::testing {

class FakeRequest final : public Request {
 public:
  FakeRequest(std::string method, std::string path)
      : method_(std::move(method)), path_(std::move(path)) {}

  std::string_view method() const override { return method_; }
  std::string_view path() const override { return path_; }
  std::string_view query() const override { return {}; }
  std::optional<std::string_view> header(std::string_view) const override { return std::nullopt; }
  std::string_view client_address() const override { return "127.0.0.1"; }
  std::string_view request_id() const override { return "test-request"; }
  const Identity* identity() const override { return nullptr; }

 private:
  std::string method_;
  std::string path_;
};

}  // namespace fathom::testing
