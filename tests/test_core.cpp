// Unit tests of the core pieces, against real repositories made with the
// ostree CLI: xattr ordering, the plan (shared directories, path counts,
// --executables-only), the tree rewriter's memo, the object checksum, the
// archive copy fallback and parallel_for's error and stop paths. This suite
// links ostree_ima_core alone: it also shows that the core needs no key
// route (docs/design.md).
#define BOOST_TEST_MODULE core
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "objects/content_copy.hpp"
#include "objects/object_checksum.hpp"
#include "objects/object_file_io.hpp"
#include "objects/stored_object.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/error.hpp"
#include "repo/commit_plan.hpp"
#include "repo/repo.hpp"
#include "repo/transaction.hpp"
#include "repo/tree_rewriter.hpp"
#include "text_files.hpp"
#include "util/parallel_for.hpp"

#include <atomic>
#include <fcntl.h>
#include <filesystem>
#include <iterator>
#include <set>
#include <stdexcept>
#include <thread>
#include <unistd.h>

using namespace ostree_ima;
using namespace test_support;

namespace {

GVariantPtr xattrs_of(const std::vector<std::pair<std::string, std::string>> &entries)
{
    VariantBuilder b(G_VARIANT_TYPE("a(ayay)"));
    for (const auto &[name, value] : entries)
        g_variant_builder_add(
            b.get(), "(@ay@ay)", g_variant_new_bytestring(name.c_str()),
            g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, value.data(), value.size(), 1));
    return take_variant(b.end());
}

std::vector<std::string> names_of(GVariant *xattrs)
{
    std::vector<std::string> out;
    for (gsize i = 0; i < g_variant_n_children(xattrs); ++i) {
        const GVariantPtr child(g_variant_get_child_value(xattrs, i));
        const GVariantPtr key(g_variant_get_child_value(child.get(), 0));
        out.emplace_back(g_variant_get_bytestring(key.get()));
    }
    return out;
}

std::string ls_checksum(const std::string &repo, const std::string &path)
{
    std::istringstream line(sh_ok("ostree ls --repo=" + quote(repo) + " -C main " + quote(path)));
    std::string mode, uid, gid, size, csum;
    line >> mode >> uid >> gid >> size >> csum;
    return csum;
}

// Two identical subdirectories (one dirtree at two paths), an executable,
// and content shared by three paths.
struct Tree {
    TempDir dir;
    std::string tree = dir / "tree";
    Tree()
    {
        sh_ok("set -e; mkdir -p " + quote(tree) + "/a/same " + quote(tree) + "/b/same; cd " +
              quote(tree) + "; for d in a b; do printf one > $d/same/one; printf two > " +
              "$d/same/two; done; printf one > top; printf '#!/bin/sh\\n' > run; chmod 755 run");
    }
    std::string repo(const std::string &mode) const { return make_repo(dir.path(), mode, tree); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(xattrs)

BOOST_AUTO_TEST_CASE(set_inserts_in_order_and_remove_restores)
{
    const GVariantPtr unsorted =
        xattrs_of({{"user.b", "1"}, {"security.zz", "2"}, {"user.a", "3"}});
    const GVariantPtr set = xattr_set(unsorted.get(), "security.ima", std::vector<std::uint8_t>{9});
    // Before the first entry whose name sorts after it; the others keep
    // their (unsorted) order.
    BOOST_TEST(names_of(set.get()) ==
                   (std::vector<std::string>{"security.ima", "user.b", "security.zz", "user.a"}),
               boost::test_tools::per_element());
    const GVariantPtr removed = xattr_remove(set.get(), "security.ima");
    BOOST_TEST(g_variant_equal(removed.get(), unsorted.get()));
    // Replaced in place when present.
    const GVariantPtr again = xattr_set(set.get(), "security.ima", std::vector<std::uint8_t>{7});
    BOOST_TEST(names_of(again.get()) == names_of(set.get()), boost::test_tools::per_element());
    BOOST_TEST((*xattr_get(again.get(), "security.ima") == std::vector<std::uint8_t>{7}));
    // No xattrs at all; appended after every smaller name.
    BOOST_TEST(names_of(xattr_set(nullptr, "security.ima", std::vector<std::uint8_t>{1}).get()) ==
               std::vector<std::string>{"security.ima"});
    const GVariantPtr small = xattrs_of({{"security.capability", "c"}});
    BOOST_TEST(
        names_of(xattr_set(small.get(), "security.ima", std::vector<std::uint8_t>{1}).get()) ==
            (std::vector<std::string>{"security.capability", "security.ima"}),
        boost::test_tools::per_element());
    BOOST_TEST(!xattr_get(nullptr, "security.ima").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(shared_directories_are_recorded_once_and_counted_at_every_path)
{
    const Tree t;
    const Repo repo = Repo::open(t.repo("archive"));
    const std::string commit = repo.resolve_commit("main");
    const CommitPlan all = plan_commit(repo.get(), commit, PathSelector(), 1, PlanPaths::Keep);
    // root, a, a/same (b is a's dirtree, shared)
    BOOST_TEST(all.dirs.size() == 3u);
    // "one" is at a/same/one, b/same/one, top: one object, three paths.
    const auto one =
        std::find(all.objects.begin(), all.objects.end(), ls_checksum(repo.path(), "/top"));
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
    BOOST_TEST(x.objects[0] == ls_checksum(repo.path(), "/run"));
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
    const Tree t;
    const Repo repo = Repo::open(t.repo("archive"));
    const std::string commit = repo.resolve_commit("main");
    const std::string two = ls_checksum(repo.path(), "/a/same/two");
    for (const bool path_dependent : {false, true}) {
        BOOST_TEST_CONTEXT("path dependent: " << path_dependent)
        {
            const PathSelector selector =
                path_dependent ? PathSelector({"/**"}, {}, false) : PathSelector();
            const CommitPlan plan = plan_commit(repo.get(), commit, selector, 1);
            // "two" changes (to the checksum of "one": any other object does).
            std::vector<std::string> next = plan.objects;
            for (auto &c : next)
                if (c == two)
                    c = ls_checksum(repo.path(), "/top");
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
    const Tree t;
    const Repo repo = Repo::open(t.repo("archive"));
    const CommitPlan plan = plan_commit(repo.get(), repo.resolve_commit("main"), PathSelector(), 1);
    std::vector<std::string> next = plan.objects;
    for (auto &c : next)
        if (c == ls_checksum(repo.path(), "/a/same/two"))
            c = ls_checksum(repo.path(), "/top");
    const Transaction txn(repo.get());
    sh_ok("mv " + quote(repo.path() + "/tmp") + " " + quote(repo.path() + "/tmp.away"));
    TreeRewriter trees(repo.get(), plan, next);
    BOOST_CHECK_THROW((void)trees.rewrite(), Error);
    sh_ok("mv " + quote(repo.path() + "/tmp.away") + " " + quote(repo.path() + "/tmp"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(objects)

namespace {
std::size_t open_fds()
{
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                      std::filesystem::directory_iterator()));
}
} // namespace

// An archive object refused after its file was opened (here: a header size
// larger than the file) leaves no descriptor open.
BOOST_AUTO_TEST_CASE(archive_object_closes_its_file_when_refused)
{
    const Tree t;
    const Repo repo = Repo::open(t.repo("archive"));
    const ObjectStore store(repo.get(), 1);
    const std::string csum = ls_checksum(repo.path(), "/run");
    const std::string file = repo.path() + "/" + store.relpath(csum);
    std::string bytes = read_text(file);
    const std::string good = bytes;
    bytes[0] = static_cast<char>(0x7f);
    write_text(file, bytes);
    const std::size_t before = open_fds();
    for (int i = 0; i < 10; ++i)
        BOOST_CHECK_THROW((void)store.open(csum), Error);
    BOOST_TEST(open_fds() == before);
    write_text(file, good);
    BOOST_TEST(store.open(csum)->is_regular());
}

BOOST_AUTO_TEST_CASE(object_checksum_names_the_object_and_catches_damage)
{
    const Tree t;
    for (const std::string mode : {"archive", "bare-user"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            const Repo repo = Repo::open(t.repo(mode));
            const ObjectStore store(repo.get(), 1);
            const std::string csum = ls_checksum(repo.path(), "/run");
            const auto object = store.open(csum);
            std::string content;
            object->read(
                [&](std::span<const std::uint8_t> c) { content.append(c.begin(), c.end()); },
                false);
            BOOST_TEST(content == "#!/bin/sh\n");
            ObjectChecksum sum(make_file_header(0, 0, 0100755, nullptr, object->xattrs()).get());
            sum.update({reinterpret_cast<const std::uint8_t *>(content.data()), content.size()});
            BOOST_TEST(sum.finish_hex() == csum);
            ObjectChecksum wrong(make_file_header(0, 0, 0100755, nullptr, object->xattrs()).get());
            wrong.update({reinterpret_cast<const std::uint8_t *>("x"), 1});
            try {
                wrong.require(csum, "content object X");
                BOOST_FAIL("a wrong checksum was accepted");
            } catch (const Error &e) {
                BOOST_TEST(std::string(e.what()).find("content object X is corrupted") == 0u);
            }
        }
    }
}

// The kept copy of an archive object cannot be written (no tmp/ to put it
// in): the writer inflates the body again, and the new object is the same.
BOOST_AUTO_TEST_CASE(content_copy_falls_back_to_inflating_again)
{
    TempDir dir;
    const std::string no_tmp = dir / "no-tmp";
    sh_ok("mkdir " + quote(no_tmp));
    const int dfd = ::open(no_tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    BOOST_REQUIRE(dfd >= 0);
    ContentCopy copy(dfd, 10, 0); // over the in-memory limit: a file, which fails
    copy.append(std::vector<std::uint8_t>(10, 1));
    bool called = false;
    BOOST_TEST(!copy.replay([&](std::span<const std::uint8_t>) { called = true; }));
    BOOST_TEST(!called);
    ::close(dfd);

    // End to end: an archive object larger than the in-memory limit (here
    // 0) written with its copy kept in tmp/, and without tmp/ to keep it in.
    const Tree t;
    const Repo repo = Repo::open(t.repo("archive"));
    const std::string csum = ls_checksum(repo.path(), "/run");
    const GVariantPtr extra = xattrs_of({{"user.test", "v"}});
    std::set<std::string> written;
    for (const bool hide_tmp : {false, true}) {
        const Transaction txn(repo.get());
        const ObjectStore store(repo.get(), 1'000'000'000); // budget / jobs: in-memory limit 0
        const auto object = store.open(csum);
        if (hide_tmp)
            sh_ok("mv " + quote(repo.path() + "/tmp") + " " + quote(repo.path() + "/tmp.away"));
        object->read([](std::span<const std::uint8_t>) {}, true);
        if (hide_tmp)
            sh_ok("mv " + quote(repo.path() + "/tmp.away") + " " + quote(repo.path() + "/tmp"));
        written.insert(object->write_with_xattrs(extra.get()));
    }
    BOOST_TEST(written.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

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
