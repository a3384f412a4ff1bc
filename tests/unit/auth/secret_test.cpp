#include "auth/secret.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace fathom::auth {
namespace {

constexpr std::string_view kToken = "fth_0123456789abcdefghijABCDEFGHIJ0123456789";

bool all_zero(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != '\0') return false;
  }
  return true;
}

TEST(Cleanse, ZeroesEveryByteUpToTheCapacityAndKeepsTheAllocation) {
  std::string s(kToken);
  s.resize(10);  // the tail of the token is still in the buffer, past size()
  const char* buffer = s.data();
  const size_t capacity = s.capacity();
  ASSERT_GE(capacity, kToken.size());
  cleanse(s);
  EXPECT_TRUE(s.empty());
  ASSERT_EQ(s.data(), buffer) << "the string was reallocated; the old buffer was not wiped";
  EXPECT_TRUE(all_zero(buffer, capacity));
}

TEST(Cleanse, ZeroesAViewInsideItsOwnerOnly) {
  std::string head = "GET / HTTP/1.1\r\nAuthorization: Bearer " + std::string(kToken) + "\r\n\r\n";
  const size_t at = head.find("fth_");
  const std::string_view token(head.data() + at, kToken.size());
  cleanse_within(head, token);
  EXPECT_TRUE(all_zero(head.data() + at, kToken.size()));
  EXPECT_EQ(head.substr(0, at), "GET / HTTP/1.1\r\nAuthorization: Bearer ");
  EXPECT_EQ(head.substr(at + kToken.size()), "\r\n\r\n");

  std::string other(kToken);
  cleanse_within(head, other);  // not inside `head`: nothing happens to either
  EXPECT_EQ(other, kToken);
  const std::string_view overlapping(head.data() + head.size() - 2, 4);
  std::string before = head;
  cleanse_within(head, overlapping);  // runs past the end of `head`: refused
  EXPECT_EQ(head, before);
}

TEST(SecretString, MovesTheBufferWithoutACopyAndEmptiesTheSource) {
  auto holder = std::make_unique<SecretString>(std::string(kToken));
  const char* buffer = holder->view().data();
  EXPECT_EQ(holder->view(), kToken);

  SecretString moved = std::move(*holder);
  EXPECT_EQ(moved.view(), kToken);
  EXPECT_EQ(moved.view().data(), buffer) << "a move takes the buffer, it copies nothing";
  EXPECT_TRUE(holder->empty());

  SecretString other(std::string(kToken.size(), 'x'));
  other = std::move(moved);
  EXPECT_EQ(other.view(), kToken);
  EXPECT_TRUE(moved.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
}

TEST(SecretString, ASmallValueIsWipedFromTheMovedFromObjectToo) {
  // Short strings live inside the object (no heap buffer), so a move copies their bytes: the
  // source must be wiped, not only emptied.
  SecretString small(std::string("pair_abc"));
  const char* inside = small.view().data();
  SecretString taken = std::move(small);
  EXPECT_EQ(taken.view(), "pair_abc");
  if (inside != taken.view().data()) {
    EXPECT_TRUE(all_zero(inside, 8));
  }
}

}  // namespace
}  // namespace fathom::auth
