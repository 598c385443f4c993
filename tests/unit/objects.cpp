// Unit tests of src/objects/, against real repositories made with the ostree
// CLI: xattr ordering, the object checksum and the archive copy fallback.
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "objects/content_copy.hpp"
#include "objects/object_checksum.hpp"
#include "objects/object_file_io.hpp"
#include "objects/stored_object.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/error.hpp"
#include "repo/repo.hpp"
#include "repo/transaction.hpp"
#include "shared_dir_tree.hpp"
#include "text_files.hpp"

#include <fcntl.h>
#include <filesystem>
#include <iterator>
#include <set>
#include <unistd.h>

BOOST_AUTO_TEST_SUITE(objects)

using namespace ostree_ima;
using namespace test_support;
using unit_fixtures::ls_checksum;

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
    const unit_fixtures::SharedDirTree t;
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
    const unit_fixtures::SharedDirTree t;
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
    const unit_fixtures::SharedDirTree t;
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

BOOST_AUTO_TEST_SUITE_END() // objects
