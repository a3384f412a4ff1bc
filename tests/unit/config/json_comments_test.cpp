// Tests proxy/config/json_comments.cpp.

#include <gtest/gtest.h>

#include <string>

#include "config/config.h"

namespace fathom {
namespace {

std::string strip(std::string_view text) {
  return strip_json_comments(text, "t.json");
}

std::string error_of(std::string_view text) {
  try {
    strip(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << text;
  return "";
}

TEST(JsonComments, BlanksLineCommentsButKeepsTheNewline) {
  EXPECT_EQ(strip("{\"a\": 1} // note\n{}"), "{\"a\": 1}        \n{}");
  EXPECT_EQ(strip("// only a comment"), "                 ");
}

TEST(JsonComments, BlanksBlockCommentsAndKeepsTheirNewlines) {
  EXPECT_EQ(strip("1 /* a\nb */ 2"), "1     \n     2");
  EXPECT_EQ(strip("/**/"), "    ");
  EXPECT_EQ(strip("/* a ** b */x"), "            x");
  EXPECT_EQ(strip("/* // */x"), "        x");
}

TEST(JsonComments, KeepsEveryByteOffset) {
  const std::string text = "{\n  // one\n  \"a\": /* two */ 1\r\n}\n";
  const std::string out = strip(text);
  ASSERT_EQ(out.size(), text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      EXPECT_EQ(out[i], text[i]) << i;
    }
  }
}

TEST(JsonComments, LeavesStringsAlone) {
  EXPECT_EQ(strip(R"({"url": "http://x/*y*/"})"), R"({"url": "http://x/*y*/"})");
  EXPECT_EQ(strip(R"(["a\"//b", "c\\"] // z)"), R"(["a\"//b", "c\\"]     )");
  EXPECT_EQ(strip(R"(["\\\"/*"])"), R"(["\\\"/*"])");
}

TEST(JsonComments, LeavesALoneSlashForTheParserToRefuse) {
  EXPECT_EQ(strip("1 / 2"), "1 / 2");
  EXPECT_EQ(strip("1 /"), "1 /");
}

TEST(JsonComments, NamesTheLineOfAnUnterminatedBlockComment) {
  EXPECT_EQ(error_of("{\n\n  /* open\n  \"a\": 1\n}"),
            "t.json: line 3: the /* comment that starts here is never closed with */");
  EXPECT_EQ(error_of("/*/"),
            "t.json: line 1: the /* comment that starts here is never closed with */");
}

TEST(JsonComments, NamesTheLineOfAnUnterminatedString) {
  EXPECT_EQ(error_of("{\n  \"a\": \"open,\n  \"b\": 1\n}"),
            "t.json: line 2: the string that starts here is not closed on its line");
  EXPECT_EQ(error_of("\"abc"),
            "t.json: line 1: the string that starts here is not closed on its line");
  EXPECT_EQ(error_of("\"abc\\"),
            "t.json: line 1: the string that starts here is not closed on its line");
  EXPECT_EQ(error_of("\n\"a\\\nb\""),
            "t.json: line 2: the string that starts here is not closed on its line");
}

}  // namespace
}  // namespace fathom
