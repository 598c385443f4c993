// quoted_input / printable_input: what every message shows of a value it
// was given. Bounded, one line, no terminal control, UTF-8 kept.
#define BOOST_TEST_MODULE quoted_input
#include <boost/test/unit_test.hpp>

#include "util/quoted_input.hpp"

#include <string>

using ostree_ima::kQuotedInputChars;
using ostree_ima::printable_input;
using ostree_ima::quoted_input;

BOOST_AUTO_TEST_CASE(short_text_is_shown_as_given)
{
    BOOST_TEST(quoted_input("md5") == "'md5'");
    BOOST_TEST(quoted_input("") == "''");
    BOOST_TEST(printable_input("/usr/bin/a b") == "/usr/bin/a b");
    const std::string exactly(kQuotedInputChars, 'x');
    BOOST_TEST(printable_input(exactly) == exactly);
}

BOOST_AUTO_TEST_CASE(long_text_is_cut_with_an_ellipsis)
{
    const std::string huge(10'000'000, '1'); // stands for issue #10's 250 MB number
    const std::string shown = quoted_input(huge);
    BOOST_TEST(shown == "'" + std::string(kQuotedInputChars, '1') + "...'");
    BOOST_TEST(printable_input(std::string(kQuotedInputChars + 1, 'y')) ==
               std::string(kQuotedInputChars, 'y') + "...");
    BOOST_TEST(printable_input("abcdef", 3) == "abc...");
}

BOOST_AUTO_TEST_CASE(control_bytes_and_nul_are_escaped)
{
    using namespace std::string_literals;
    BOOST_TEST(printable_input("a\nb") == "a\\x0ab");
    BOOST_TEST(printable_input("a\0b"s) == "a\\x00b");
    BOOST_TEST(printable_input("\x1b[31mred") == "\\x1b[31mred");
    BOOST_TEST(printable_input("tab\there\r") == "tab\\x09here\\x0d");
    BOOST_TEST(printable_input("del\x7f") == "del\\x7f");
    // C1 controls written as UTF-8 (U+009B is CSI on some terminals).
    BOOST_TEST(printable_input("\xc2\x9b"
                               "2J") == "\\xc2\\x9b2J");
    // An escape counts as one character of the cap.
    BOOST_TEST(printable_input(std::string(50, '\n'), 2) == "\\x0a\\x0a...");
}

BOOST_AUTO_TEST_CASE(utf8_is_kept_and_invalid_bytes_are_escaped)
{
    BOOST_TEST(printable_input("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91") ==
               "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
    BOOST_TEST(printable_input("\xff\xfe") == "\\xff\\xfe");
    BOOST_TEST(printable_input("\xc3") == "\\xc3");                   // truncated sequence
    BOOST_TEST(printable_input("\xc0\xaf") == "\\xc0\\xaf");          // overlong '/'
    BOOST_TEST(printable_input("\xed\xa0\x80") == "\\xed\\xa0\\x80"); // surrogate
    // The cap counts characters, and never splits one.
    BOOST_TEST(printable_input("\xc3\xa9\xc3\xa9\xc3\xa9", 2) == "\xc3\xa9\xc3\xa9...");
}
