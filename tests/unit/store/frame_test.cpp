// Tests proxy/store/frame.cpp: record framing and the torn-versus-corrupt decision.

#include "store/frame.h"

#include <gtest/gtest.h>

#include <string>

namespace fathom::store {
namespace {

std::string three_records() {
  std::string bytes;
  append_frame(bytes, "first");
  append_frame(bytes, "second record");
  append_frame(bytes, "third");
  return bytes;
}

TEST(StoreFrame, LayoutIsLengthCrcPayload) {
  std::string bytes;
  append_frame(bytes, "123456789");
  ASSERT_EQ(bytes.size(), 8u + 9u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x09\x00\x00\x00", 4));
  // crc32c("123456789") = 0xE3069283, little-endian.
  EXPECT_EQ(bytes.substr(4, 4), std::string("\x83\x92\x06\xE3", 4));
  EXPECT_EQ(bytes.substr(8), "123456789");
}

TEST(StoreFrame, ScansCleanFile) {
  const std::string bytes = three_records();  // the scan's payloads point into it
  FrameScan scan = scan_frames(bytes);
  EXPECT_EQ(scan.end, FrameScan::End::clean);
  ASSERT_EQ(scan.frames.size(), 3u);
  EXPECT_EQ(scan.frames[0].offset, 0u);
  EXPECT_EQ(scan.frames[1].payload, "second record");
  EXPECT_EQ(scan.frames[2].offset, 8u + 5 + 8 + 13);
  EXPECT_EQ(scan.good_end, three_records().size());
}

TEST(StoreFrame, EveryCutOfTheLastRecordIsTorn) {
  std::string bytes = three_records();
  size_t last = scan_frames(bytes).frames[2].offset;
  for (size_t cut = 1; cut < bytes.size() - last; ++cut) {
    FrameScan scan = scan_frames(std::string_view(bytes).substr(0, bytes.size() - cut));
    EXPECT_EQ(scan.end, FrameScan::End::torn) << "cut " << cut;
    EXPECT_EQ(scan.frames.size(), 2u);
    EXPECT_EQ(scan.good_end, last);
    EXPECT_EQ(scan.bad_offset, last);
  }
}

TEST(StoreFrame, BadChecksumOnTheLastRecordIsTorn) {
  std::string bytes = three_records();
  bytes.back() ^= 0x01;
  FrameScan scan = scan_frames(bytes);
  EXPECT_EQ(scan.end, FrameScan::End::torn);
  EXPECT_EQ(scan.frames.size(), 2u);
}

TEST(StoreFrame, BadChecksumInTheMiddleIsCorrupt) {
  std::string bytes = three_records();
  size_t second = scan_frames(bytes).frames[1].offset;
  bytes[second + 8] ^= 0x01;
  FrameScan scan = scan_frames(bytes);
  EXPECT_EQ(scan.end, FrameScan::End::corrupt);
  EXPECT_EQ(scan.bad_offset, second);
  EXPECT_EQ(scan.problem, "checksum mismatch");
  EXPECT_EQ(scan.frames.size(), 1u);
}

TEST(StoreFrame, ZeroFilledTailIsTorn) {
  std::string bytes = three_records();
  size_t end = bytes.size();
  bytes.append(100, '\0');
  FrameScan scan = scan_frames(bytes);
  EXPECT_EQ(scan.end, FrameScan::End::torn);
  EXPECT_EQ(scan.good_end, end);
  EXPECT_EQ(scan.frames.size(), 3u);
}

TEST(StoreFrame, ZeroLengthFollowedByDataIsCorrupt) {
  std::string bytes;
  append_frame(bytes, "first");
  bytes.append(8, '\0');
  append_frame(bytes, "after");
  EXPECT_EQ(scan_frames(bytes).end, FrameScan::End::corrupt);
}

TEST(StoreFrame, ImplausibleLengthIsCorrupt) {
  std::string bytes;
  append_frame(bytes, "first");
  bytes.append("\xff\xff\xff\x7f\x00\x00\x00\x00", 8);
  FrameScan scan = scan_frames(bytes);
  EXPECT_EQ(scan.end, FrameScan::End::corrupt);
  EXPECT_EQ(scan.bad_offset, 8u + 5);
}

TEST(StoreFrame, EmptyInputIsClean) {
  FrameScan scan = scan_frames("");
  EXPECT_EQ(scan.end, FrameScan::End::clean);
  EXPECT_TRUE(scan.frames.empty());
}

}  // namespace
}  // namespace fathom::store
