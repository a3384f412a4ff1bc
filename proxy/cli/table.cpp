#include "cli/table.h"

#include <algorithm>

namespace fathom::cli {

namespace {

size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // count lead bytes only
  }
  return n;
}

std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string render(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) {
    std::string s = printable(v.get<std::string>());
    return s.empty() ? "-" : s;
  }
  if (v.is_array()) {
    std::string out;
    for (const nlohmann::json& e : v) out += (out.empty() ? "" : ",") + render(e);
    return out.empty() ? "-" : out;
  }
  return printable(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::print(std::FILE* out) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) widths[i] = display_width(headers_[i]);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text.append(widths[i] - display_width(cells[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), out);
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
  std::fflush(out);
}

std::string cell(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return "-";
  auto it = object.find(key);
  return it == object.end() ? std::string("-") : render(*it);
}

void print_fields(const nlohmann::json& object, const std::vector<std::string>& keys,
                  std::FILE* out) {
  size_t width = 0;
  for (const std::string& k : keys) width = std::max(width, k.size());
  for (const std::string& k : keys) {
    std::string text = k + ":" + std::string(width - k.size() + 2, ' ') + cell(object, k) + "\n";
    std::fwrite(text.data(), 1, text.size(), out);
  }
  std::fflush(out);
}

}  // namespace fathom::cli
