// The stored line's canonical layout, its fast key scan, and the cursor encoding.
#include "audit/stored_line.h"

#include <gtest/gtest.h>

#include "audit/audit_cursor.h"

namespace fathom::audit {
namespace {

AuditEvent sample() {
  AuditEvent e;
  e.time = 1700000000;
  e.kind = "request";
  e.token_id = "tok_ABCDEFGHIJKLMNOP";
  e.method = "GET";
  e.path = "/v1/x";
  e.status = 404;
  return e;
}

TEST(StoredLine, EncodesInTheDocumentedLayout) {
  std::string line;
  append_stored_line(line, 42, zero_hash(), sample());
  EXPECT_EQ(line, "{\"seq\":42,\"prev_hash\":\"" + zero_hash() +
                      "\",\"event_id\":\"evt_0000000000000042\",\"time\":1700000000,"
                      "\"token_id\":\"tok_ABCDEFGHIJKLMNOP\",\"kind\":\"request\","
                      "\"method\":\"GET\",\"path\":\"/v1/x\",\"status\":404}");
  std::optional<StoredEvent> parsed = parse_stored_line(line);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->seq, 42u);
  EXPECT_EQ(parsed->event.event_id, "evt_0000000000000042");
  EXPECT_EQ(parsed->event.status, 404);
}

TEST(StoredLine, RefusesAnythingButTheCanonicalBytes) {
  std::string line;
  append_stored_line(line, 7, zero_hash(), sample());
  std::string why;
  for (std::string bad : {line + " ", " " + line, line.substr(0, line.size() - 1)}) {
    EXPECT_FALSE(parse_stored_line(bad, &why)) << bad;
  }
  std::string reordered = line;
  reordered.replace(reordered.find("\"method\":\"GET\",\"path\":\"/v1/x\""), 29,
                    "\"path\":\"/v1/x\",\"method\":\"GET\"");
  EXPECT_FALSE(parse_stored_line(reordered, &why));
  EXPECT_NE(why.find("layout"), std::string::npos);
  std::string wrong_id = line;
  wrong_id.replace(wrong_id.find("evt_0000000000000007"), 20, "evt_0000000000000008");
  EXPECT_FALSE(parse_stored_line(wrong_id, &why));
  EXPECT_EQ(why, "event_id does not match seq");
}

TEST(StoredLine, KeyScanAgreesWithTheFullParser) {
  AuditEvent escaped = sample();
  escaped.token_id = "odd \"token\" ü";
  AuditEvent empty = sample();
  empty.token_id.clear();
  empty.time = -5;
  for (const AuditEvent& e : {sample(), escaped, empty}) {
    std::string line;
    append_stored_line(line, 9, std::string(64, 'a'), e);
    std::optional<LineKey> key = scan_line_key(line);
    ASSERT_TRUE(key) << line;
    EXPECT_EQ(key->seq, 9u);
    EXPECT_EQ(key->time, e.time);
    EXPECT_EQ(key->token_id(), e.token_id);
  }
  EXPECT_FALSE(scan_line_key("{\"seq\":01}"));
  EXPECT_FALSE(scan_line_key(""));
}

TEST(AuditCursor, RoundTripsAndRefusesDamage) {
  for (uint64_t seq : {1ull, 2ull, 1000000ull, 0xFFFFFFFFFFFFFFFFull}) {
    EXPECT_EQ(decode_cursor(encode_cursor(seq)), seq);
  }
  EXPECT_FALSE(decode_cursor(""));
  EXPECT_FALSE(decode_cursor(encode_cursor(0)));
  std::string c = encode_cursor(77);
  c.back() = c.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(decode_cursor(c));
  std::string upper = encode_cursor(0xABCDEF);
  for (char& ch : upper) ch = static_cast<char>(std::toupper(ch));
  EXPECT_FALSE(decode_cursor(upper));
}

}  // namespace
}  // namespace fathom::audit
