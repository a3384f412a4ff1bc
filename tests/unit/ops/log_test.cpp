// The log's lines, written straight away or held for a loop turn (what a worker does), always
// whole and in order. stderr is pointed at a file for each test.
#include "ops/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace fathom::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("stderr");
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    saved_ = ::dup(STDERR_FILENO);
    ASSERT_GE(::dup2(fd, STDERR_FILENO), 0);
    ::close(fd);
    set_level(LogLevelSetting::info);
  }
  void TearDown() override {
    hold_lines(nullptr, nullptr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  // The events of the lines written so far, each line checked to be one JSON object.
  std::vector<std::string> events() const {
    std::vector<std::string> out;
    std::string text = test::read_file(path_);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      EXPECT_NE(end, std::string::npos) << "a line without its newline: " << text;
      if (end == std::string::npos) break;
      nlohmann::json line = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
      EXPECT_FALSE(line.is_discarded()) << text.substr(start, end - start);
      out.push_back(line.is_discarded() ? "?" : line.value("event", "?"));
      start = end + 1;
    }
    return out;
  }

  test::TempDir dir_;
  std::string path_;
  int saved_ = -1;
};

int g_wakes = 0;
void count_wake(void*) {
  ++g_wakes;
}

TEST_F(LogTest, WritesEachLineAtOnceWhenNotHolding) {
  info("first", {{"n", 1}});
  EXPECT_EQ(events(), std::vector<std::string>{"first"});
  debug("hidden");  // below the level
  info("second", {{"text", "a \"quoted\"\nline"}});
  EXPECT_EQ(events(), (std::vector<std::string>{"first", "second"}));
}

TEST_F(LogTest, HeldLinesWaitForTheFlushAndWakeOncePerBatch) {
  g_wakes = 0;
  hold_lines(count_wake, nullptr);
  info("a");
  info("b");
  EXPECT_TRUE(events().empty());
  EXPECT_EQ(g_wakes, 1);
  flush_held();
  EXPECT_EQ(events(), (std::vector<std::string>{"a", "b"}));
  info("c");
  EXPECT_EQ(g_wakes, 2) << "the next batch wakes again";
  hold_lines(nullptr, nullptr);  // stopping writes what is held
  EXPECT_EQ(events(), (std::vector<std::string>{"a", "b", "c"}));
  info("d");
  EXPECT_EQ(events(), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(LogTest, AWarningWritesAtOnceAfterWhatWasHeld) {
  hold_lines(count_wake, nullptr);
  info("held");
  warn("serious");
  EXPECT_EQ(events(), (std::vector<std::string>{"held", "serious"}));
}

TEST_F(LogTest, AFullBufferIsWrittenWithoutWaitingForTheTurn) {
  hold_lines(count_wake, nullptr);
  const std::string filler(1000, 'x');
  for (int i = 0; i < 40; ++i) info("bulk", {{"filler", filler}});
  size_t written = events().size();
  EXPECT_GT(written, 0u);
  EXPECT_LT(written, 40u);
  flush_held();
  EXPECT_EQ(events().size(), 40u);
}

}  // namespace
}  // namespace fathom::log
