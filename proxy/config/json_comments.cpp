// Comments in the config file. nlohmann/json can skip comments itself, but it cannot tell an
// unterminated comment from other syntax errors, and we want to name the line a comment opened
// on. Blanking comments (rather than cutting them) keeps every byte offset and line number of
// the JSON that remains, so the parser's error positions still point into the user's file.

#include <string>
#include <string_view>

#include "config/config.h"

namespace fathom {

namespace {

enum class State { code, string, line_comment, block_comment };

// Newlines stay so that line numbers survive; everything else inside a comment becomes a space.
char blank(char c) {
  return c == '\n' || c == '\r' ? c : ' ';
}

}  // namespace

std::string strip_json_comments(std::string_view text, const std::string& origin) {
  std::string out(text);
  State state = State::code;
  size_t line = 1;
  size_t opened_on = 0;  // line of the string or block comment we are inside

  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    const char next = i + 1 < out.size() ? out[i + 1] : '\0';
    switch (state) {
      case State::code:
        if (c == '"') {
          state = State::string;
          opened_on = line;
        } else if (c == '/' && next == '/') {
          state = State::line_comment;
          out[i] = out[i + 1] = ' ';
          ++i;
        } else if (c == '/' && next == '*') {
          state = State::block_comment;
          opened_on = line;
          out[i] = out[i + 1] = ' ';
          ++i;
        }
        break;
      case State::string:
        if (c == '\\' && next != '\n') {
          ++i;  // the escaped character cannot end the string, whatever it is
        } else if (c == '"') {
          state = State::code;
        } else if (c == '\n') {
          // JSON strings never span lines, so this is where the missing quote belongs; saying so
          // beats the parser's complaint about whatever comes after.
          throw ConfigError(origin + ": line " + std::to_string(opened_on) +
                            ": the string that starts here is not closed on its line");
        }
        break;
      case State::line_comment:
        if (c == '\n') {
          state = State::code;
        } else {
          out[i] = blank(c);
        }
        break;
      case State::block_comment:
        if (c == '*' && next == '/') {
          out[i] = out[i + 1] = ' ';
          ++i;
          state = State::code;
        } else {
          out[i] = blank(c);
        }
        break;
    }
    if (c == '\n') ++line;
  }

  if (state == State::block_comment) {
    throw ConfigError(origin + ": line " + std::to_string(opened_on) +
                      ": the /* comment that starts here is never closed with */");
  }
  if (state == State::string) {
    throw ConfigError(origin + ": line " + std::to_string(opened_on) +
                      ": the string that starts here is not closed on its line");
  }
  return out;
}

}  // namespace fathom
