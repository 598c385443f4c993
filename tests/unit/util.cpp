// Unit tests of src/util/: what messages show of a value (quoted_input),
// counts and durations (wording), the progress display's estimate and
// line without a terminal, and parallel_for's error and stop paths
// (self-contained: the package build runs them).
#include <boost/test/unit_test.hpp>

#include "ostree-ima/error.hpp"
#include "util/parallel_for.hpp"
#include "util/progress.hpp"
#include "util/progress_text.hpp"
#include "util/quoted_input.hpp"
#include "util/wording.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

BOOST_AUTO_TEST_SUITE(util)

// quoted_input / printable_input: what every message shows of a value it
// was given. Bounded, one line, no terminal control, UTF-8 kept.
BOOST_AUTO_TEST_SUITE(quoted_input)

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

BOOST_AUTO_TEST_SUITE_END() // quoted_input

// counted / grouped / duration_text: the one style every message uses for
// counts and durations (issue #24: "signed 1 file", "2.4 s").
BOOST_AUTO_TEST_SUITE(wording)

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

BOOST_AUTO_TEST_SUITE_END() // wording

// The progress display without a terminal: the time-left estimate on runs
// made up unit by unit (largest object first, signatures reused, a slow
// key, a signature cache), and the line and last line it shows.
BOOST_AUTO_TEST_SUITE(progress)

using namespace ostree_ima;

namespace {
constexpr double kMiB = 1024.0 * 1024.0;

// One unit of a made-up run: its weight and the worker seconds it took.
struct Unit {
    std::uint64_t weight;
    double seconds;
};

// A run on one worker (wall time = worker time): the snapshot after the
// first `done` units, and the true time left.
struct Point {
    ProgressMeter::Snapshot snapshot;
    double true_left = 0;
};

Point after(const std::vector<Unit> &run, std::size_t done)
{
    Point p;
    ProgressMeter::Snapshot &s = p.snapshot;
    s.total = run.size();
    for (std::size_t i = 0; i < run.size(); ++i) {
        const Unit &u = run[i];
        s.total_weight += u.weight;
        if (i >= done) {
            p.true_left += u.seconds;
            continue;
        }
        const auto w = static_cast<double>(u.weight);
        ++s.done;
        s.weight_done += u.weight;
        s.seconds += u.seconds;
        s.sum_w += w;
        s.sum_ww += w * w;
        s.sum_t += u.seconds;
        s.sum_wt += w * u.seconds;
    }
    return p;
}

// The index at which `fraction` of the run's time has passed.
std::size_t at_time_fraction(const std::vector<Unit> &run, double fraction)
{
    double total = 0;
    for (const Unit &u : run)
        total += u.seconds;
    double passed = 0;
    for (std::size_t i = 0; i < run.size(); ++i) {
        passed += run[i].seconds;
        if (passed >= fraction * total)
            return i + 1;
    }
    return run.size();
}

// Each unit's time off by up to 30 %, as a real run's are (the page
// cache, other processes).
std::vector<Unit> noisy(std::vector<Unit> run)
{
    for (std::size_t i = 0; i < run.size(); ++i)
        run[i].seconds *= 1 + 0.3 * std::sin(static_cast<double>(i) * 1.7);
    return run;
}

// A commit's objects, largest first: a few big files, thousands of small
// ones (as /usr is), each read at 100 MiB/s plus `per_object` seconds of
// opening, checking and writing it.
std::vector<Unit> largest_first_run(double per_object)
{
    std::vector<Unit> run;
    for (int i = 0; i < 20; ++i)
        run.push_back({static_cast<std::uint64_t>((40 - i) * kMiB), 0});
    for (int i = 0; i < 2000; ++i)
        run.push_back({static_cast<std::uint64_t>(64 * 1024 - i * 16), 0});
    for (int i = 0; i < 6000; ++i)
        run.push_back({static_cast<std::uint64_t>(2048 - i / 4), 0});
    for (Unit &u : run)
        u.seconds = per_object + static_cast<double>(u.weight) / (100 * kMiB);
    return noisy(run);
}
} // namespace

// Issue #24: with --reuse every signature is taken from the old commit, so
// the key costs nothing, but reading, checking and writing each object
// still does. Bytes alone said "0 s left" for the last 40 % of such a run
// (all the bytes were read: only small objects were left).
BOOST_AUTO_TEST_CASE(time_left_with_reuse_is_neither_zero_nor_huge)
{
    const std::vector<Unit> run = largest_first_run(0.0005);
    const Point p = after(run, at_time_fraction(run, 0.6));
    const double left = ProgressMeter::seconds_left(p.snapshot);
    BOOST_TEST_INFO("estimate " << left << " s, truly " << p.true_left << " s");
    BOOST_TEST(left > 0.5 * p.true_left);
    BOOST_TEST(left < 2 * p.true_left);
    // And from early on, while the largest objects go: not minutes.
    const Point early = after(run, 5);
    const double early_left = ProgressMeter::seconds_left(early.snapshot);
    BOOST_TEST_INFO("early estimate " << early_left << " s, truly " << early.true_left << " s");
    BOOST_TEST(early_left > 0.3 * early.true_left);
    BOOST_TEST(early_left < 3 * early.true_left);
}

// A key that signs five a second (a TPM) and has to sign every object: the
// time left is the key's, from the first objects on, though they are the
// largest (bytes alone would say seconds).
BOOST_AUTO_TEST_CASE(time_left_follows_a_slow_key)
{
    std::vector<Unit> run = largest_first_run(0.0005);
    for (Unit &u : run)
        u.seconds += 0.2;
    run = noisy(run);
    // Within a factor of two after 10 objects, within 25 % once the
    // noise averages out.
    for (const std::size_t done : {std::size_t{10}, std::size_t{2000}, std::size_t{7000}}) {
        const Point p = after(run, done);
        const double left = ProgressMeter::seconds_left(p.snapshot);
        BOOST_TEST_INFO("after " << done << ": estimate " << left << " s, truly " << p.true_left
                                 << " s");
        const double slack = done == 10 ? 2 : 1.25;
        BOOST_TEST(left > p.true_left / slack);
        BOOST_TEST(left < p.true_left * slack);
    }
}

// sign-digests resuming from its cache: the cached digests (weight 0) go
// first and fast; the key's (weight 1) follow at five a second. Before the
// key made one signature its rate is unknown ("--"), not "0 s"; after, the
// time left is the key's digests left at its rate.
BOOST_AUTO_TEST_CASE(sign_digests_time_left_is_the_keys)
{
    std::vector<Unit> run(1000, Unit{0, 0.0001});
    run.resize(3000, Unit{1, 0.2});
    run = noisy(run);
    BOOST_TEST(ProgressMeter::seconds_left(after(run, 500).snapshot) < 0);
    const Point p = after(run, 1100);
    const double left = ProgressMeter::seconds_left(p.snapshot);
    BOOST_TEST_INFO("estimate " << left << " s, truly " << p.true_left << " s");
    BOOST_TEST(left > 0.9 * p.true_left);
    BOOST_TEST(left < 1.1 * p.true_left);
}

BOOST_AUTO_TEST_CASE(nothing_to_tell_before_the_first_unit_and_nothing_left_at_the_end)
{
    const std::vector<Unit> run = largest_first_run(0.0005);
    BOOST_TEST(ProgressMeter::seconds_left(after(run, 0).snapshot) < 0);
    BOOST_TEST(ProgressMeter::seconds_left(after(run, run.size()).snapshot) == 0);
}

// Files counted alike (verify --deployment): the units left at the mean cost.
BOOST_AUTO_TEST_CASE(units_without_weight_go_by_count)
{
    const std::vector<Unit> run(100, Unit{0, 0.01});
    const double left = ProgressMeter::seconds_left(after(run, 25).snapshot);
    BOOST_TEST(left == 0.75, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(the_line_shows_done_total_rate_signatures_and_time_left)
{
    ProgressUpdate u;
    u.step = "signing";
    u.unit_one = "object";
    u.unit_many = "objects";
    u.done = 10;
    u.total = 1840;
    u.bytes_done = static_cast<std::uint64_t>(150 * kMiB);
    u.bytes_total = static_cast<std::uint64_t>(354 * kMiB);
    u.signs = true;
    u.signatures_made = 1;
    u.signatures_reused = 9;
    u.seconds = 2;
    u.seconds_left = 166;
    BOOST_TEST(progress_line(u) == "signing: 10/1,840 objects, 150.0 MiB of 354.0 MiB read, "
                                   "75.0 MiB/s; 1 signature made, 9 reused; 2 min 46 s left");
    // Every object done, the commit not yet written: no "0.0 s left".
    u.done = 1840;
    BOOST_TEST(progress_line(u).find("reused; finishing") != std::string::npos, progress_line(u));
    u.state = ProgressState::Finished;
    u.bytes_done = u.bytes_total;
    u.signatures_made = 1000;
    u.signatures_reused = 840;
    u.seconds = 61.2;
    BOOST_TEST(progress_summary(u) ==
               "signing: 1,840 objects, 354.0 MiB read; 1,000 signatures made, 840 reused; "
               "done in 1 min 01 s");

    // A step that reads nothing counts its units per second; one of several
    // steps says which; one that signs nothing says nothing of signatures.
    ProgressUpdate d;
    d.step = "signing digests";
    d.unit_one = "digest";
    d.unit_many = "digests";
    d.done = 50;
    d.total = 20000;
    d.signs = true;
    d.signatures_made = 50;
    d.seconds = 10;
    d.seconds_left = -1;
    BOOST_TEST(progress_line(d) == "signing digests: 50/20,000 digests, 5.0 digests/s; 50 "
                                   "signatures made, 0 reused; -- left");
    ProgressUpdate v;
    v.step = "computing digests";
    v.step_number = 1;
    v.steps = 2;
    v.unit_one = "object";
    v.unit_many = "objects";
    v.done = 1;
    v.total = 1;
    v.bytes_done = 512;
    v.bytes_total = 512;
    v.seconds = 0.04;
    BOOST_TEST(progress_summary(v) ==
               "[1/2] computing digests: 1 object, 512 B read; done in 0.0 s");
}

BOOST_AUTO_TEST_SUITE_END() // progress

// parallel_for: the first error rethrown, the hand-out stopped, a stop request.
using ostree_ima::Error;
using ostree_ima::parallel_for;

BOOST_AUTO_TEST_SUITE(threads)

BOOST_AUTO_TEST_CASE(parallel_for_rethrows_the_first_error_and_stops_handing_out)
{
    std::atomic<int> ran{0};
    try {
        parallel_for(1000, 4, [&](std::size_t i) {
            ++ran;
            if (i == 3)
                throw Error("item 3");
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        });
        BOOST_FAIL("no exception");
    } catch (const Error &e) {
        BOOST_TEST(std::string(e.what()) == "item 3");
    }
    BOOST_TEST(ran.load() < 1000); // the hand-out stopped

    // A stop request: items already started finish, no new one starts.
    std::atomic<bool> stop{false};
    std::atomic<int> after{0};
    parallel_for(
        1000, 2,
        [&](std::size_t i) {
            if (stop.load())
                ++after;
            if (i == 10)
                stop.store(true);
        },
        &stop);
    BOOST_TEST(after.load() <= 1); // at most the other thread's item in flight

    // Zero threads means one; nothing to do means no call.
    int calls = 0;
    parallel_for(5, 0, [&](std::size_t) { ++calls; });
    BOOST_TEST(calls == 5);
    parallel_for(0, 4, [&](std::size_t) { throw std::logic_error("called"); });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END() // util
