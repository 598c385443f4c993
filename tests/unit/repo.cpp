// Unit tests of src/repo/: the plan (shared directories, path counts,
// --executables-only) and the tree rewriter's memo against real repositories
// made with the ostree CLI, and the path selector (globs, include/exclude).
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/path_selector.hpp"
#include "repo/commit_plan.hpp"
#include "repo/repo.hpp"
#include "repo/transaction.hpp"
#include "repo/tree_rewriter.hpp"
#include "shared_dir_tree.hpp"
#include "text_files.hpp"

#include <chrono>
#include <iterator>
#include <set>
#include <stdexcept>

BOOST_AUTO_TEST_SUITE(repo)

using namespace ostree_ima;
using namespace test_support;
using unit_fixtures::ls_checksum;

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(shared_directories_are_recorded_once_and_counted_at_every_path)
{
    const unit_fixtures::SharedDirTree t;
    const Repo repo = Repo::open(t.repo("archive"));
    const std::string commit = repo.resolve_commit("main");
    const CommitPlan all = plan_commit(repo.get(), commit, PathSelector(), 1, PlanPaths::Keep);
    // root, a, a/same (b is a's dirtree, shared)
    BOOST_TEST(all.dirs.size() == 3u);
    // "one" is at a/same/one, b/same/one, top: one object, three paths.
    const auto one = std::find(all.objects.begin(), all.objects.end(),
                               raw_checksum_from_hex(ls_checksum(repo.path(), "/top")));
    BOOST_REQUIRE(one != all.objects.end());
    const auto i = static_cast<std::size_t>(one - all.objects.begin());
    BOOST_TEST(all.path_count[i] == 3u);
    BOOST_TEST(std::set<std::string>(all.paths[i].begin(), all.paths[i].end()) ==
               (std::set<std::string>{"/a/same/one", "/b/same/one", "/top"}));
    BOOST_TEST(all.total_paths() == 6u);

    // A path-dependent selector records every directory where it is met.
    const PathSelector only_a({"/a/**"}, {}, false);
    const CommitPlan a = plan_commit(repo.get(), commit, only_a, 1, PlanPaths::Keep);
    BOOST_TEST(a.dirs.size() == 5u);
    BOOST_TEST(a.total_paths() == 2u);

    // --executables-only drops the others and renumbers what is recorded.
    const CommitPlan x = plan_commit(repo.get(), commit, PathSelector({}, {}, true), 2);
    BOOST_REQUIRE(x.objects.size() == 1u);
    BOOST_TEST(x.object(0) == ls_checksum(repo.path(), "/run"));
    std::size_t selected = 0;
    for (const PlannedDir &d : x.dirs)
        for (const std::int64_t o : d.file_object)
            if (o != kNotSelected) {
                BOOST_TEST(o == 0);
                ++selected;
            }
    BOOST_TEST(selected == 1u);
}

BOOST_AUTO_TEST_CASE(tree_rewriter_writes_a_shared_directory_once)
{
    const unit_fixtures::SharedDirTree t;
    const Repo repo = Repo::open(t.repo("archive"));
    const std::string commit = repo.resolve_commit("main");
    const RawChecksum two = raw_checksum_from_hex(ls_checksum(repo.path(), "/a/same/two"));
    for (const bool path_dependent : {false, true}) {
        BOOST_TEST_CONTEXT("path dependent: " << path_dependent)
        {
            const PathSelector selector =
                path_dependent ? PathSelector({"/**"}, {}, false) : PathSelector();
            const CommitPlan plan = plan_commit(repo.get(), commit, selector, 1);
            // "two" changes (to the checksum of "one": any other object does).
            std::vector<RawChecksum> next = plan.objects;
            for (auto &c : next)
                if (c == two)
                    c = raw_checksum_from_hex(ls_checksum(repo.path(), "/top"));
            const Transaction txn(repo.get());
            TreeRewriter trees(repo.get(), plan, next);
            const std::string root = trees.rewrite();
            BOOST_TEST(root != plan.dirs[0].checksum);
            // same and a (=b) once when shared; same twice, a, b when not; root.
            BOOST_TEST(trees.trees_written() == (path_dependent ? 5u : 3u));
            // Unchanged objects: nothing is written.
            TreeRewriter none(repo.get(), plan, plan.objects);
            BOOST_TEST(none.rewrite() == plan.dirs[0].checksum);
            BOOST_TEST(none.trees_written() == 0u);
        }
    }
}

// A write that fails half-way through the trees (no tmp/ to write in) is an
// Error, and the builders of the directories above are cleared: under
// LeakSanitizer (scripts/test-sanitize.sh) a leaked GVariantBuilder fails.
BOOST_AUTO_TEST_CASE(tree_rewriter_cleans_up_when_a_write_fails)
{
    const unit_fixtures::SharedDirTree t;
    const Repo repo = Repo::open(t.repo("archive"));
    const CommitPlan plan = plan_commit(repo.get(), repo.resolve_commit("main"), PathSelector(), 1);
    std::vector<RawChecksum> next = plan.objects;
    for (auto &c : next)
        if (c == raw_checksum_from_hex(ls_checksum(repo.path(), "/a/same/two")))
            c = raw_checksum_from_hex(ls_checksum(repo.path(), "/top"));
    const Transaction txn(repo.get());
    sh_ok("mv " + quote(repo.path() + "/tmp") + " " + quote(repo.path() + "/tmp.away"));
    TreeRewriter trees(repo.get(), plan, next);
    BOOST_CHECK_THROW((void)trees.rewrite(), Error);
    sh_ok("mv " + quote(repo.path() + "/tmp.away") + " " + quote(repo.path() + "/tmp"));
}

BOOST_AUTO_TEST_SUITE_END()

// PathSelector: the glob semantics of --include / --exclude and the x-bit
// filter of --executables-only.
BOOST_AUTO_TEST_SUITE(path_selector)

using ostree_ima::GlobPattern;
using ostree_ima::PathSelector;
using ostree_ima::UsageError;

namespace {
bool glob(const std::string &pattern, const std::string &path)
{
    return GlobPattern(pattern, "--include").matches(path);
}
} // namespace

BOOST_AUTO_TEST_SUITE(globs)

BOOST_AUTO_TEST_CASE(star_stays_within_one_directory)
{
    BOOST_TEST(glob("/usr/bin/*", "/usr/bin/ls"));
    BOOST_TEST(glob("/usr/bin/*", "/usr/bin/"));
    BOOST_TEST(!glob("/usr/bin/*", "/usr/bin/sub/ls"));
    BOOST_TEST(!glob("/usr/bin/*", "/usr/sbin/ls"));
    BOOST_TEST(glob("/usr/*/ls", "/usr/bin/ls"));
    BOOST_TEST(!glob("/usr/*/ls", "/usr/local/bin/ls"));
    BOOST_TEST(glob("/etc/*.conf", "/etc/hello.conf"));
    BOOST_TEST(!glob("/etc/*.conf", "/etc/hello.conf.bak"));
    BOOST_TEST(glob("/etc/*.conf*", "/etc/hello.conf.bak"));
    BOOST_TEST(glob("/a*b*c", "/abc"));
    BOOST_TEST(glob("/a*b*c", "/axxbyyc"));
    BOOST_TEST(!glob("/a*b*c", "/axxbyy/c"));
}

BOOST_AUTO_TEST_CASE(double_star_crosses_directories)
{
    BOOST_TEST(glob("/usr/**", "/usr/bin/ls"));
    BOOST_TEST(glob("/usr/**", "/usr/lib/a/b/c.so"));
    BOOST_TEST(!glob("/usr/**", "/etc/usr/x"));
    BOOST_TEST(glob("**", "/anything/at/all"));
    BOOST_TEST(glob("**/*.so", "/usr/lib/libc.so"));
    BOOST_TEST(glob("**/*.so", "/x.so"));
    BOOST_TEST(!glob("**/*.so", "/usr/lib/libc.so.6"));
    BOOST_TEST(glob("/usr/**.so", "/usr/lib/deep/x.so"));
}

BOOST_AUTO_TEST_CASE(slash_double_star_slash_matches_zero_directories)
{
    BOOST_TEST(glob("/usr/lib/**/*.so*", "/usr/lib/libc.so.6"));
    BOOST_TEST(glob("/usr/lib/**/*.so*", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
    BOOST_TEST(glob("/usr/lib/**/*.so*", "/usr/lib/a/b/c/libz.so"));
    BOOST_TEST(!glob("/usr/lib/**/*.so*", "/usr/lib/libc.a"));
    BOOST_TEST(!glob("/usr/lib/**/*.so*", "/usr/libexec/x.so"));
    BOOST_TEST(glob("/a/**/b", "/a/b"));
    BOOST_TEST(glob("/a/**/b", "/a/x/y/b"));
    BOOST_TEST(!glob("/a/**/b", "/a/xb"));
}

BOOST_AUTO_TEST_CASE(question_mark_is_one_character_but_not_a_slash)
{
    BOOST_TEST(glob("/bin/l?", "/bin/ls"));
    BOOST_TEST(!glob("/bin/l?", "/bin/l"));
    BOOST_TEST(!glob("/bin/l?", "/bin/lss"));
    BOOST_TEST(!glob("/bin?ls", "/bin/ls"));
}

BOOST_AUTO_TEST_CASE(literals_and_escapes)
{
    BOOST_TEST(glob("/etc/hello.conf", "/etc/hello.conf"));
    BOOST_TEST(!glob("/etc/hello.conf", "/etc/hello.con"));
    BOOST_TEST(!glob("/etc/hello.conf", "/etc/hello.conff"));
    BOOST_TEST(glob("/odd/a\\*b", "/odd/a*b"));
    BOOST_TEST(!glob("/odd/a\\*b", "/odd/axb"));
    BOOST_TEST(glob("/odd/\\?", "/odd/?"));
    BOOST_TEST(!glob("/odd/\\?", "/odd/x"));
    BOOST_TEST(glob("/[x]", "/[x]")); // no character classes: brackets are literal
    BOOST_TEST(glob("/sp ace/ü", "/sp ace/ü"));
}

BOOST_AUTO_TEST_CASE(relative_or_empty_globs_are_usage_errors)
{
    BOOST_CHECK_THROW(GlobPattern("usr/bin/*", "--include"), UsageError);
    BOOST_CHECK_THROW(GlobPattern("*.so", "--exclude"), UsageError);
    BOOST_CHECK_THROW(GlobPattern("", "--include"), UsageError);
    try {
        GlobPattern("usr/*", "--exclude");
    } catch (const UsageError &e) {
        BOOST_TEST(std::string(e.what()).find("--exclude 'usr/*' must start with '/'") == 0u);
    }
}

BOOST_AUTO_TEST_CASE(hostile_globs_stay_linear)
{
    // Backtracking matchers take exponential time on these; ours is a DP.
    const std::string pattern = "/" + std::string(40, '*') + "a*a*a*a*a*a*a*a*a*a*b";
    const std::string path = "/" + std::string(4000, 'a');
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(!glob(pattern, path));
    BOOST_TEST(!glob("/**a**a**a**a**a**a**a**b", path));
    const bool fast = std::chrono::steady_clock::now() - start < std::chrono::seconds(2);
    BOOST_TEST(fast);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(selector)

BOOST_AUTO_TEST_CASE(default_selects_everything)
{
    const PathSelector all;
    BOOST_TEST(all.selects_path("/etc/x"));
    BOOST_TEST(all.selects_mode(0100644));
    BOOST_TEST(all.selects_everything());
    BOOST_TEST(!all.path_dependent());
}

BOOST_AUTO_TEST_CASE(include_any_and_exclude_wins)
{
    const PathSelector s({"/usr/bin/*", "/usr/lib/**/*.so*"}, {"/usr/bin/test-*", "**/*.so.debug"},
                         false);
    BOOST_TEST(s.path_dependent());
    BOOST_TEST(s.selects_path("/usr/bin/ls"));
    BOOST_TEST(s.selects_path("/usr/lib/libc.so.6"));
    BOOST_TEST(!s.selects_path("/usr/bin/test-thing"));
    BOOST_TEST(!s.selects_path("/usr/lib/x/libc.so.debug"));
    BOOST_TEST(!s.selects_path("/etc/passwd"));
    BOOST_TEST(!s.selects_path("/usr/bin/sub/ls"));
    const PathSelector only_exclude({}, {"/etc/**"}, false);
    BOOST_TEST(only_exclude.selects_path("/usr/bin/ls"));
    BOOST_TEST(!only_exclude.selects_path("/etc/passwd"));
    BOOST_TEST(s.include_globs() == std::vector<std::string>({"/usr/bin/*", "/usr/lib/**/*.so*"}));
    BOOST_TEST(s.exclude_globs() == std::vector<std::string>({"/usr/bin/test-*", "**/*.so.debug"}));
}

BOOST_AUTO_TEST_CASE(executables_only_means_any_x_bit)
{
    const PathSelector x({}, {}, true);
    BOOST_TEST(!x.path_dependent());
    BOOST_TEST(!x.selects_everything());
    BOOST_TEST(x.selects_path("/etc/x"));
    BOOST_TEST(x.selects_mode(0100755));
    BOOST_TEST(x.selects_mode(0100100)); // owner only
    BOOST_TEST(x.selects_mode(0100010)); // group only
    BOOST_TEST(x.selects_mode(0100001)); // others only
    BOOST_TEST(x.selects_mode(0104750)); // setuid
    BOOST_TEST(!x.selects_mode(0100644));
    BOOST_TEST(!x.selects_mode(0104644)); // setuid bit alone is not x
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END() // path_selector

BOOST_AUTO_TEST_SUITE_END() // repo
