// Tests admin/rfc3339.cpp: the one output form, and every input form RFC 3339 allows.

#include "rfc3339.h"

#include <gtest/gtest.h>

namespace fathom::admin {
namespace {

TEST(AdminFormatTime, IsUtcWithZAndWholeSeconds) {
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_time(1800000000), "2027-01-15T08:00:00Z");
  EXPECT_EQ(format_time(951782400), "2000-02-29T00:00:00Z");  // a leap day
  EXPECT_EQ(format_time(253402300799), "9999-12-31T23:59:59Z");
}

TEST(AdminParseTime, AcceptsZuluOffsetsAndFractions) {
  EXPECT_EQ(parse_time("2027-01-15T08:00:00Z"), 1800000000);
  EXPECT_EQ(parse_time("2027-01-15t08:00:00z"), 1800000000);
  EXPECT_EQ(parse_time("2027-01-15T10:30:00+02:30"), 1800000000);
  EXPECT_EQ(parse_time("2027-01-15T03:00:00-05:00"), 1800000000);
  // A fraction rounds towards the past, so an expiry is never later than asked.
  EXPECT_EQ(parse_time("2027-01-15T08:00:00.999Z"), 1800000000);
  // A leap second reads as the first second of the next minute.
  EXPECT_EQ(parse_time("2027-01-15T07:59:60Z"), 1800000000);
}

TEST(AdminParseTime, RoundTripsWhatItFormats) {
  for (UnixTime t : {0LL, 1LL, 951782400LL, 1800000000LL, 4102444799LL}) {
    EXPECT_EQ(parse_time(format_time(t)), t) << t;
  }
}

TEST(AdminParseTime, RefusesWhatIsNotAnRfc3339Time) {
  for (const char* text :
       {"", "2027-01-15", "2027-01-15T08:00:00", "2027-01-15 08:00:00Z", "2027-1-15T08:00:00Z",
        "2027-01-15T08:00Z", "2027-01-15T08:00:00.Z", "2027-01-15T08:00:00+0200",
        "2027-01-15T08:00:00+24:00", "2027-01-15T24:00:00Z", "2027-01-15T08:60:00Z",
        "2027-01-15T08:00:61Z", "2027-02-29T08:00:00Z", "2027-13-01T08:00:00Z",
        "2027-00-01T08:00:00Z", "2027-01-00T08:00:00Z", "2027-01-15T08:00:00Zjunk", "1800000000",
        "+2027-01-15T08:00:00Z"}) {
    EXPECT_FALSE(parse_time(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace fathom::admin
