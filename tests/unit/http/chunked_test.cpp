#include "http/chunked.h"

#include <gtest/gtest.h>

#include <string>

namespace fathom::http {
namespace {

using Kind = ChunkedDecoder::Kind;

struct Outcome {
  Kind kind = Kind::need_more;  // done, refused, or need_more if the input ran out
  Refusal refusal = Refusal::none;
  std::string payload;
  size_t consumed = 0;  // bytes dropped or passed on
};

// Feeds `in` as a caller would: acts on each step and, on need_more, offers `grow` more bytes of
// the front (all of it when grow is 0).
Outcome decode(std::string_view in, size_t grow = 0, size_t max_line = 4096,
               size_t max_trailers = 32 * 1024) {
  ChunkedDecoder d(max_line, max_trailers);
  Outcome out;
  size_t offered = grow == 0 ? in.size() : std::min(grow, in.size());
  while (true) {
    const std::string_view front = in.substr(out.consumed, offered - out.consumed);
    const ChunkedDecoder::Step step = d.next(front);
    EXPECT_LE(step.length, front.size());
    switch (step.kind) {
      case Kind::need_more:
        EXPECT_EQ(step.length, 0u);
        if (offered == in.size()) return out;
        offered = std::min(in.size(), offered + grow);
        continue;
      case Kind::data:
        EXPECT_GT(step.length, 0u);
        out.payload.append(front.substr(0, step.length));
        break;
      case Kind::framing:
        EXPECT_GT(step.length, 0u);
        break;
      case Kind::done:
        out.consumed += step.length;
        out.kind = Kind::done;
        EXPECT_TRUE(d.finished());
        EXPECT_EQ(d.payload_bytes(), out.payload.size());
        return out;
      case Kind::refused:
        EXPECT_NE(step.refusal, Refusal::none);
        out.kind = Kind::refused;
        out.refusal = step.refusal;
        return out;
    }
    out.consumed += step.length;
    if (offered < out.consumed) offered = out.consumed;
  }
}

// Decodes in one piece and byte by byte, expects both to agree, and returns the outcome.
Outcome decode_both(std::string_view in, size_t max_line = 4096, size_t max_trailers = 32 * 1024) {
  const Outcome whole = decode(in, 0, max_line, max_trailers);
  const Outcome bytes = decode(in, 1, max_line, max_trailers);
  EXPECT_EQ(whole.kind, bytes.kind) << in;
  EXPECT_EQ(whole.refusal, bytes.refusal) << in;
  EXPECT_EQ(whole.payload, bytes.payload) << in;
  EXPECT_EQ(whole.consumed, bytes.consumed) << in;
  return whole;
}

Refusal refusal_of(std::string_view in, size_t max_line = 4096, size_t max_trailers = 32 * 1024) {
  const Outcome o = decode_both(in, max_line, max_trailers);
  EXPECT_EQ(o.kind, Kind::refused) << in;
  return o.refusal;
}

void expect_payload(std::string_view in, std::string_view payload) {
  const Outcome o = decode_both(in);
  EXPECT_EQ(o.kind, Kind::done) << in;
  EXPECT_EQ(o.payload, payload) << in;
  EXPECT_EQ(o.consumed, in.size()) << in;
}

TEST(ChunkedDecoder, DecodesChunks) {
  expect_payload("5\r\nhello\r\n0\r\n\r\n", "hello");
  expect_payload("5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", "hello, world");
  expect_payload("0\r\n\r\n", "");
  expect_payload("A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n", "01234567890123456789");
  expect_payload("000000000000000F\r\n0123456789abcde\r\n0000\r\n\r\n", "0123456789abcde");
}

TEST(ChunkedDecoder, ReportsEachStep) {
  ChunkedDecoder d;
  std::string_view in = "3\r\nabc\r\n0\r\n\r\nNEXT";
  const auto expect = [&](Kind kind, size_t length) {
    const ChunkedDecoder::Step s = d.next(in);
    ASSERT_EQ(s.kind, kind);
    ASSERT_EQ(s.length, length);
    in.remove_prefix(s.length);
  };
  expect(Kind::framing, 3);
  expect(Kind::data, 3);
  expect(Kind::framing, 2);
  expect(Kind::framing, 3);
  EXPECT_FALSE(d.finished());
  expect(Kind::done, 2);
  EXPECT_TRUE(d.finished());
  EXPECT_EQ(in, "NEXT");  // a pipelined request stays unread
  EXPECT_EQ(d.payload_bytes(), 3u);
  d.reset();
  EXPECT_FALSE(d.finished());
  EXPECT_EQ(d.payload_bytes(), 0u);
  EXPECT_EQ(d.next("0\r\n").kind, Kind::framing);
}

TEST(ChunkedDecoder, PassesOnNoMoreDataThanAvailableOrRemaining) {
  ChunkedDecoder d;
  ASSERT_EQ(d.next("a\r\n").length, 3u);
  ChunkedDecoder::Step s = d.next("0123");
  EXPECT_EQ(s.kind, Kind::data);
  EXPECT_EQ(s.length, 4u);
  EXPECT_EQ(d.next("").kind, Kind::need_more);
  s = d.next("456789\r\n0\r\n\r\n");
  EXPECT_EQ(s.kind, Kind::data);
  EXPECT_EQ(s.length, 6u);
  EXPECT_EQ(d.payload_bytes(), 10u);
  EXPECT_EQ(d.next("\r").kind, Kind::need_more);
  EXPECT_EQ(d.next("\r\n").kind, Kind::framing);
}

TEST(ChunkedDecoder, AcceptsTheLargestChunkSize) {
  ChunkedDecoder d;
  EXPECT_EQ(d.next("ffffffffffffffff\r\n").kind, Kind::framing);
  const ChunkedDecoder::Step s = d.next("abc");
  EXPECT_EQ(s.kind, Kind::data);
  EXPECT_EQ(s.length, 3u);
}

TEST(ChunkedDecoder, RefusesBadChunkSizes) {
  for (const char* bad : {"\r\n", "g\r\n", "0x5\r\n", "-1\r\n", "+1\r\n", "5g\r\n", "\"5\"\r\n",
                          "10000000000000000\r\n", "00000000000000001\r\n", ";a\r\n", " 5\r\n",
                          "5\r\r\n", "\x80\r\n"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::bad_chunk_size) << bad;
  }
}

TEST(ChunkedDecoder, ValidatesExtensions) {
  for (const char* good :
       {"5;a\r\nhello\r\n0\r\n\r\n", "5;a=b\r\nhello\r\n0\r\n\r\n",
        "5 ; a = b ;c\r\nhello\r\n0\r\n\r\n", "5;a=\"q \\\" ;\"\r\nhello\r\n0\r\n\r\n",
        "5;a=\"\"\r\nhello\r\n0;last\r\n\r\n", "5\t;\ta\r\nhello\r\n0\r\n\r\n"}) {
    expect_payload(good, "hello");
  }
  for (const char* bad : {"5;\r\n", "5;=b\r\n", "5;a=\r\n", "5;a=\"open\r\n", "5;a b\r\n", "5 \r\n",
                          "5;a \r\n", "5;a=b c\r\n", "5;a=@\r\n", "5;;a\r\n", "5;a=\"\x01\"\r\n",
                          "5;a=\"\\\x01\"\r\n", "5 ;\r\n"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::bad_chunk_framing) << bad;
  }
}

TEST(ChunkedDecoder, RequiresCrlfAfterData) {
  EXPECT_EQ(refusal_of("5\r\nhelloX\r\n0\r\n\r\n"), Refusal::bad_chunk_framing);
  EXPECT_EQ(refusal_of("5\r\nhello\n0\r\n\r\n"), Refusal::bad_chunk_framing);
  EXPECT_EQ(refusal_of("5\r\nhello\rX"), Refusal::bad_chunk_framing);
  EXPECT_EQ(refusal_of("5\r\nhello world\r\n"), Refusal::bad_chunk_framing);
  EXPECT_EQ(decode_both("5\r\nhello\r").kind, Kind::need_more);
}

TEST(ChunkedDecoder, RefusesBareLineFeeds) {
  EXPECT_EQ(refusal_of("5\nhello\r\n0\r\n\r\n"), Refusal::bare_lf);
  EXPECT_EQ(refusal_of("0\n\r\n"), Refusal::bare_lf);
  EXPECT_EQ(refusal_of("0\r\n\n"), Refusal::bare_lf);
  EXPECT_EQ(refusal_of("0\r\nA: b\n\r\n"), Refusal::bare_lf);
}

TEST(ChunkedDecoder, LimitsTheSizeLine) {
  const std::string ten = "5;abcdefgh";  // 10 bytes
  expect_payload(ten + "\r\nhello\r\n0\r\n\r\n", "hello");
  EXPECT_EQ(decode_both(ten + "\r\nhello\r\n0\r\n\r\n", 10).kind, Kind::done);
  EXPECT_EQ(refusal_of(ten + "x\r\nhello\r\n0\r\n\r\n", 10), Refusal::chunk_line_too_long);
  // As soon as the limit is exceeded without a line end, whatever the bytes.
  EXPECT_EQ(refusal_of(std::string(11, '1'), 10), Refusal::chunk_line_too_long);
  EXPECT_EQ(refusal_of(std::string(11, '@'), 10), Refusal::chunk_line_too_long);
  EXPECT_EQ(decode_both(std::string(10, '@'), 10).kind, Kind::need_more);
  EXPECT_EQ(decode_both(ten + "\r", 10).kind, Kind::need_more);
}

TEST(ChunkedDecoder, SkipsValidTrailers) {
  expect_payload("5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Other:\t1 \r\n\r\n", "hello");
  ChunkedDecoder d;
  ASSERT_EQ(d.next("0\r\n").kind, Kind::framing);
  const ChunkedDecoder::Step s = d.next("X-Sum: abc\r\n\r\n");
  EXPECT_EQ(s.kind, Kind::framing);
  EXPECT_EQ(s.length, 12u);
}

TEST(ChunkedDecoder, RefusesBadTrailers) {
  for (const char* bad : {"0\r\n folded\r\n\r\n", "0\r\nA : b\r\n\r\n", "0\r\nno colon\r\n\r\n",
                          "0\r\n: x\r\n\r\n", "0\r\nA: \x01\r\n\r\n", "0\r\nA: b\rc\r\n\r\n"}) {
    EXPECT_EQ(refusal_of(bad), Refusal::bad_chunk_framing) << bad;
  }
}

TEST(ChunkedDecoder, LimitsTrailers) {
  const std::string trailer = "0\r\nA: 123456\r\n";  // a 11-byte trailer line
  // Each line against max_line, all trailer bytes (the last CRLF too) against max_trailers.
  EXPECT_EQ(decode_both(trailer + "\r\n", 9, 13).kind, Kind::done);
  EXPECT_EQ(refusal_of(trailer + "\r\n", 8, 13), Refusal::chunk_line_too_long);
  EXPECT_EQ(refusal_of(trailer + "\r\n", 9, 12), Refusal::headers_too_large);
  EXPECT_EQ(refusal_of(trailer + trailer.substr(3) + "\r\n", 9, 23), Refusal::headers_too_large);
  EXPECT_EQ(decode_both(trailer + trailer.substr(3) + "\r\n", 9, 24).kind, Kind::done);
  // The lower limit wins when both are broken.
  EXPECT_EQ(refusal_of("0\r\n" + std::string(30, 'A'), 9, 5), Refusal::headers_too_large);
  EXPECT_EQ(refusal_of("0\r\n" + std::string(30, 'A'), 4, 20), Refusal::chunk_line_too_long);
}

TEST(ChunkedDecoder, StaysRefusedAfterARefusal) {
  ChunkedDecoder d;
  EXPECT_EQ(d.next("x\r\n").kind, Kind::refused);
  EXPECT_EQ(d.next("5\r\n").kind, Kind::refused);
  EXPECT_FALSE(d.finished());
}

TEST(ChunkedDecoder, AgreesOnAnySplit) {
  const std::string in =
      "4;x=\"y\"\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: v\r\n\r\n";
  for (size_t grow = 1; grow <= in.size(); ++grow) {
    const Outcome o = decode(in, grow);
    EXPECT_EQ(o.kind, Kind::done) << grow;
    EXPECT_EQ(o.payload, "Wikipedia in\r\n\r\nchunks.") << grow;
    EXPECT_EQ(o.consumed, in.size()) << grow;
  }
}

}  // namespace
}  // namespace fathom::http
