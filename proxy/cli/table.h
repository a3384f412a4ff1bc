// The readable form of the CLI's answers: columns aligned by what a terminal shows (UTF-8 code
// points, not bytes), times exactly as the API gives them (RFC 3339 UTC: no local time zone to
// guess, and they sort as text), "-" for absent values.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fathom::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Header line, then rows; two spaces between columns; no trailing spaces.
  void print(std::FILE* out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// A member of `object` for a cell: strings as they are (control characters replaced by '?'),
// numbers as digits, arrays of strings joined with ',', null or absent as "-".
std::string cell(const nlohmann::json& object, std::string_view key);

// "name=value" lines of a single object, for `show`: keys in the order given.
void print_fields(const nlohmann::json& object, const std::vector<std::string>& keys,
                  std::FILE* out);

}  // namespace fathom::cli
