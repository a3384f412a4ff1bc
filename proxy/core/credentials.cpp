#include "core/credentials.h"

#include "auth/secret.h"

namespace fathom {
namespace {

bool query_has_access_token(std::string_view query) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    std::string_view key = param.substr(0, param.find('='));
    if (http::iequals(key, "access_token")) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

// token68 characters (RFC 9110 section 11.2).
bool is_token68(std::string_view t) {
  if (t.empty()) return false;
  size_t i = 0;
  for (; i < t.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
  }
  while (i < t.size() && t[i] == '=') ++i;
  return i == t.size();
}

}  // namespace

Credentials read_credentials(const http::RequestHead& head) {
  if (query_has_access_token(head.query)) return {CredentialStatus::query_token, {}};
  const http::Header* auth = nullptr;
  for (const http::Header& h : head.headers) {
    if (!http::iequals(h.name, "authorization")) continue;
    if (auth != nullptr) return {CredentialStatus::duplicate, {}};
    auth = &h;
  }
  if (auth == nullptr) return {CredentialStatus::none, {}};
  std::string_view v = auth->value;
  constexpr std::string_view kScheme = "bearer ";
  if (v.size() <= kScheme.size() || !http::iequals(v.substr(0, kScheme.size()), kScheme)) {
    return {CredentialStatus::malformed, {}};
  }
  std::string_view token = v.substr(kScheme.size());
  if (!is_token68(token)) return {CredentialStatus::malformed, {}};
  return {CredentialStatus::bearer, token};
}

void cleanse_credentials(std::string& buf, const http::RequestHead& head) {
  for (const http::Header& h : head.headers) {
    if (http::iequals(h.name, "authorization")) auth::cleanse_within(buf, h.value);
  }
}

}  // namespace fathom
