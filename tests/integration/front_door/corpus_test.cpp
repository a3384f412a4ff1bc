// The malformed and smuggling corpus (tests/corpus/*.http) against the real daemon: each request
// must be refused with the status in its file name and a JSON error, the connection closed, and
// nothing forwarded. The lake behind the daemon records every head it receives; its record must
// stay empty. The valid/ cases prove that the record would show a request that got through.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "support/binaries.h"
#include "support/daemon_process.h"
#include "support/http_client.h"
#include "support/lake_process.h"

namespace fathom::test {
namespace {

struct CorpusCase {
  std::string name;  // file name without ".http"
  std::string path;
  int status = 0;  // the number the file name starts with
};

// gtest names each case with this (and ctest shows it) instead of the struct's raw bytes.
void PrintTo(const CorpusCase& c, std::ostream* os) {
  *os << c.name << ".http";
}

std::vector<CorpusCase> load_cases(const std::string& dir) {
  std::vector<CorpusCase> cases;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".http") continue;
    CorpusCase c;
    c.name = entry.path().stem().string();
    c.path = entry.path().string();
    c.status = std::atoi(c.name.c_str());
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(),
            [](const CorpusCase& a, const CorpusCase& b) { return a.name < b.name; });
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<CorpusCase>& info) {
  std::string out = info.param.name;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

// The limits in tests/corpus/README.md: small, so that the limit cases are small files.
nlohmann::json corpus_config(uint16_t lake_port) {
  nlohmann::json config = DaemonProcess::public_config(lake_port);
  config["limits"] = {{"max_request_line", 1024},
                      {"max_header_bytes", 4096},
                      {"max_headers", 20},
                      {"max_body_bytes", 1024}};
  return config;
}

std::string expected_error(int status) {
  switch (status) {
    case 400:
      return "invalid_request";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 431:
      return "headers_too_large";
    default:
      return "";  // 505: the API names no code; any non-empty one will do
  }
}

// The bytes of a file, shown with escapes, for failure messages.
std::string printable(std::string_view bytes) {
  std::string out;
  for (char ch : bytes.substr(0, 600)) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n\n";
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

// One lake and one daemon for the whole suite when run as one binary; under ctest every case is
// its own process and gets its own pair, on its own ports.
class CorpusTest : public ::testing::TestWithParam<CorpusCase> {
 protected:
  static void SetUpTestSuite() {
    lake_ = new LakeProcess();
    daemon_ = new DaemonProcess(corpus_config(lake_->port()));
  }
  static void TearDownTestSuite() {
    delete daemon_;
    delete lake_;
    daemon_ = nullptr;
    lake_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(daemon_, nullptr) << "the daemon or the lake did not start (see above)";
  }

  static LakeProcess* lake_;
  static DaemonProcess* daemon_;
};

LakeProcess* CorpusTest::lake_ = nullptr;
DaemonProcess* CorpusTest::daemon_ = nullptr;

class MalformedCorpus : public CorpusTest {};
class ValidCorpus : public CorpusTest {};

TEST_P(MalformedCorpus, IsRefusedClosedAndNeverForwarded) {
  const CorpusCase& c = GetParam();
  std::string bytes = read_file(c.path);
  ASSERT_FALSE(bytes.empty()) << c.path;
  SCOPED_TRACE("request sent:\n" + printable(bytes));
  ASSERT_EQ(lake_->record_bytes(), 0u) << "an earlier case reached the lake";

  HttpConnection conn = HttpConnection::open(daemon_->port());
  // The daemon may refuse and close before reading everything; that is its right.
  conn.send_tolerant(bytes);
  Response r = conn.read_response("GET");

  EXPECT_EQ(r.status, c.status) << r.status_line() << "\n" << r.body;
  EXPECT_EQ(r.header("Content-Type").value_or("").rfind("application/json", 0), 0u)
      << "Content-Type: " << r.header("Content-Type").value_or("(none)");
  nlohmann::json body = r.json();
  ASSERT_TRUE(body.is_object()) << "the error body is not a JSON object: " << r.body;
  ASSERT_TRUE(body.contains("error") && body["error"].is_string()) << r.body;
  ASSERT_TRUE(body.contains("message") && body["message"].is_string()) << r.body;
  EXPECT_FALSE(body["message"].get<std::string>().empty()) << r.body;
  if (std::string code = expected_error(c.status); !code.empty()) {
    EXPECT_EQ(body["error"], code) << r.body;
  } else {
    EXPECT_FALSE(body["error"].get<std::string>().empty()) << r.body;
  }

  CloseCheck closed = conn.wait_closed(std::chrono::seconds(5));
  EXPECT_TRUE(closed.closed) << "the daemon kept the connection open after refusing the request";
  EXPECT_EQ(closed.extra, "") << "the daemon sent more after the refusal (a smuggled request "
                                 "answered?)";

  EXPECT_EQ(lake_->record_bytes(), 0u) << "the request reached the lake; its record:\n"
                                       << read_file(lake_->record_path());
  EXPECT_TRUE(daemon_->running()) << "the daemon died on this request";
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedCorpus, ::testing::ValuesIn(load_cases(corpus_dir())),
                         case_name);

TEST_P(ValidCorpus, ReachesTheLake) {
  const CorpusCase& c = GetParam();
  std::string bytes = read_file(c.path);
  ASSERT_FALSE(bytes.empty()) << c.path;
  SCOPED_TRACE("request sent:\n" + printable(bytes));
  size_t before = lake_->recorded_heads().size();

  HttpConnection conn = HttpConnection::open(daemon_->port());
  conn.send_all(bytes);
  std::string_view method(bytes);
  method.remove_prefix(std::min(method.find_first_not_of("\r\n"), method.size()));
  method = method.substr(0, method.find(' '));
  Response r = conn.read_response(method);

  EXPECT_EQ(r.status, c.status) << r.status_line() << "\n" << r.body;
  ASSERT_TRUE(lake_->wait_for_heads(before + 1, std::chrono::seconds(5)))
      << "the lake recorded nothing for a valid request";
  std::vector<nlohmann::json> heads = lake_->recorded_heads();
  EXPECT_EQ(heads.size(), before + 1);
  EXPECT_EQ(heads.back().value("path", "").rfind("/valid/", 0), 0u) << heads.back().dump();
  EXPECT_EQ(heads.back().value("method", ""), method) << heads.back().dump();
}

INSTANTIATE_TEST_SUITE_P(Corpus, ValidCorpus,
                         ::testing::ValuesIn(load_cases(corpus_dir() + "/valid")), case_name);

TEST(CorpusFiles, HoldAtLeastSixtyMalformedCases) {
  std::vector<CorpusCase> cases = load_cases(corpus_dir());
  EXPECT_GE(cases.size(), 60u);
  for (const CorpusCase& c : cases) {
    EXPECT_TRUE(c.status == 400 || c.status == 413 || c.status == 414 || c.status == 431 ||
                c.status == 505)
        << c.name << ": file names start with the expected status";
  }
  EXPECT_GE(load_cases(corpus_dir() + "/valid").size(), 3u);
}

}  // namespace
}  // namespace fathom::test
