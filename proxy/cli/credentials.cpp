#include "cli/credentials.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>

#include "cli/cli_error.h"
#include "cli/exit_codes.h"

namespace fathom::cli {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Bytes that could split the Authorization header or smuggle another one in.
bool header_safe(std::string_view token) {
  for (unsigned char c : token) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string token_from_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw CliError(kExitLocal, "--token-file " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw CliError(kExitLocal, "--token-file " + path + ": not a file");
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  if ((st.st_mode & S_IROTH) != 0) {
    throw CliError(kExitLocal, "--token-file " + path + ": readable by every user (mode " + mode +
                                   "); run 'chmod 600 " + path +
                                   "', and revoke the token if others could have read it");
  }
  if ((st.st_mode & S_IRGRP) != 0) {
    std::fprintf(stderr,
                 "fathom-auth: warning: %s is readable by its group (mode %s); 'chmod 600 %s' "
                 "unless the whole group is meant to administer tokens\n",
                 path.c_str(), mode, path.c_str());
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    throw CliError(kExitLocal, "--token-file " + path + ": cannot read a first line");
  }
  std::string token(trimmed(line));
  if (token.empty())
    throw CliError(kExitLocal, "--token-file " + path + ": the first line is empty");
  if (!header_safe(token)) {
    throw CliError(kExitLocal, "--token-file " + path +
                                   ": the first line holds spaces or control characters; it "
                                   "must hold the token alone");
  }
  return token;
}

}  // namespace

std::string admin_token(const ParsedArgs& args) {
  if (auto path = args.value("--token-file")) return token_from_file(*path);
  const char* env = std::getenv("FATHOM_ADMIN_TOKEN");
  if (env == nullptr || *env == '\0') {
    throw CliError(kExitLocal,
                   "no admin token: set FATHOM_ADMIN_TOKEN, or pass --token-file FILE (a file "
                   "holding the token on its first line, mode 0600)");
  }
  std::string token(trimmed(env));
  if (!header_safe(token)) {
    throw CliError(kExitLocal,
                   "FATHOM_ADMIN_TOKEN holds spaces or control characters; it must hold the "
                   "token alone");
  }
  return token;
}

std::string server_url_text(const ParsedArgs& args) {
  if (auto url = args.value("--url")) return *url;
  const char* env = std::getenv("FATHOM_URL");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultUrl;
}

}  // namespace fathom::cli
