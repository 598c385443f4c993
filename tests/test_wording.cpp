// counted / grouped / duration_text: the one style every message uses for
// counts and durations (issue #24: "signed 1 file", "2.4 s").
#define BOOST_TEST_MODULE wording
#include <boost/test/unit_test.hpp>

#include "util/wording.hpp"

#include <limits>

using ostree_ima::counted;
using ostree_ima::duration_text;
using ostree_ima::grouped;

BOOST_AUTO_TEST_CASE(counts_take_the_plural_they_need)
{
    BOOST_TEST(counted(1, "file", "files") == "1 file");
    BOOST_TEST(counted(0, "file", "files") == "0 files");
    BOOST_TEST(counted(2, "file", "files") == "2 files");
    BOOST_TEST(counted(20000, "signature", "signatures") == "20,000 signatures");
}

BOOST_AUTO_TEST_CASE(thousands_are_grouped)
{
    BOOST_TEST(grouped(0) == "0");
    BOOST_TEST(grouped(999) == "999");
    BOOST_TEST(grouped(1000) == "1,000");
    BOOST_TEST(grouped(123456) == "123,456");
    BOOST_TEST(grouped(1000000) == "1,000,000");
    BOOST_TEST(grouped(std::numeric_limits<std::uint64_t>::max()) == "18,446,744,073,709,551,615");
}

BOOST_AUTO_TEST_CASE(durations_read_alike_everywhere)
{
    BOOST_TEST(duration_text(0) == "0.0 s");
    BOOST_TEST(duration_text(0.04) == "0.0 s");
    BOOST_TEST(duration_text(2.44) == "2.4 s");
    BOOST_TEST(duration_text(59.94) == "59.9 s");
    BOOST_TEST(duration_text(59.96) == "1 min 00 s");
    BOOST_TEST(duration_text(125) == "2 min 05 s");
    BOOST_TEST(duration_text(3599.4) == "59 min 59 s");
    BOOST_TEST(duration_text(3600) == "1 h 00 min");
    BOOST_TEST(duration_text(3 * 3600 + 4 * 60 + 59) == "3 h 04 min");
    BOOST_TEST(duration_text(-1) == "--");
    BOOST_TEST(duration_text(std::numeric_limits<double>::infinity()) == "--");
    BOOST_TEST(duration_text(std::numeric_limits<double>::quiet_NaN()) == "--");
}
