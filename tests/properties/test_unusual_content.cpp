// Unusual trees: 255-byte names, paths over PATH_MAX, 1,000 levels of
// nesting, newlines and non-ASCII in names, 100 xattrs and a 60 KiB one, an
// empty tree, a symlink-only tree; and what `ostree commit` refuses (invalid
// UTF-8 names, device nodes, fifos, sockets), so that it never reaches us.
// Whatever ostree can commit is signed: `ostree fsck` passes, every other
// attribute is kept, and every regular file of a checkout verifies with
// `evmctl ima_verify`.
//
// Runs as root on a tmpfs it mounts (ext4 caps an xattr value at one block,
// so a 60 KiB value needs tmpfs); a test that cannot mount fails.
#define BOOST_TEST_MODULE unusual_content
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace test_support;

namespace {

// A directory file descriptor, closed on scope exit. Trees here are built
// and walked with *at() calls: paths deeper than PATH_MAX cannot be named.
class DirFd {
  public:
    explicit DirFd(const std::string &path) : fd_(::open(path.c_str(), O_RDONLY | O_DIRECTORY))
    {
        BOOST_REQUIRE_MESSAGE(fd_ >= 0, "cannot open " << path);
    }
    DirFd(const DirFd &parent, const std::string &name, bool create)
    {
        if (create)
            BOOST_REQUIRE(::mkdirat(parent.fd_, name.c_str(), 0755) == 0);
        fd_ = ::openat(parent.fd_, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        BOOST_REQUIRE_MESSAGE(fd_ >= 0, "cannot open directory " << name);
    }
    DirFd(DirFd &&other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    DirFd(const DirFd &) = delete;
    DirFd &operator=(const DirFd &) = delete;
    DirFd &operator=(DirFd &&other) noexcept
    {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~DirFd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    [[nodiscard]] int get() const { return fd_; }

    void write(const std::string &name, const std::string &data) const
    {
        const int fd = ::openat(fd_, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        BOOST_REQUIRE_MESSAGE(fd >= 0, "cannot create " << name);
        BOOST_REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
        ::close(fd);
    }

  private:
    int fd_ = -1;
};

// A tmpfs for the suite, unmounted at the end.
struct Tmpfs {
    std::string path;
    explicit Tmpfs(std::string dir) : path(std::move(dir))
    {
        sh_ok("mkdir -p " + quote(path));
        const Result r = sh("mount -t tmpfs -o size=1g tmpfs " + quote(path) + " 2>&1");
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "cannot mount a tmpfs at "
                                                    << path
                                                    << " (this suite needs root): " << r.out);
    }
    Tmpfs(const Tmpfs &) = delete;
    Tmpfs &operator=(const Tmpfs &) = delete;
    ~Tmpfs() { (void)sh("umount -l " + quote(path)); }
};

struct World : Workspace {
    Tmpfs fs{dir / "fs"};
    const KeyPair &key = Workspace::key("rsa");
    // A fresh directory for one test, on the tmpfs.
    [[nodiscard]] std::string scratch(const std::string &name) const
    {
        const std::string path = fs.path + "/" + name;
        sh_ok("rm -rf " + quote(path) + " && mkdir -p " + quote(path));
        return path;
    }
};

World &world()
{
    static World w;
    return w;
}

Result commit_tree(const std::string &repo, const std::string &mode, const std::string &tree)
{
    sh_ok("ostree init --repo=" + quote(repo) + " --mode=" + mode +
          " && ostree config --repo=" + quote(repo) + " set core.fsync false");
    return sh("ostree commit --repo=" + quote(repo) + " --branch=main --tree=dir=" + quote(tree) +
              " --timestamp='2026-01-02 03:04:05' 2>&1");
}

// Signs main into `signed`; returns the JSON report.
nlohmann::json sign(const std::string &repo)
{
    const Result r = run({binary(), "sign", "--repo=" + repo, "--key=" + world().key.key_pem,
                          "--cert=" + world().key.cert_der, "--json", "main", "signed"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "sign failed: " << r.err);
    return nlohmann::json::parse(r.out);
}

// Runs `evmctl ima_verify` on `name` inside the directory `dir` (by fchdir:
// the path may be longer than PATH_MAX). True when it verifies.
bool evmctl_verify_at(const DirFd &dir, const std::string &name, const std::string &cert)
{
    const std::vector<std::string> argv = {"evmctl", "ima_verify", "--key", cert, name};
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        if (::fchdir(dir.get()) == 0)
            ::execvp(args[0], args.data());
        ::_exit(127);
    }
    BOOST_REQUIRE(pid > 0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct CheckoutResult {
    std::size_t regular_files = 0;
    std::vector<std::string> failures;
};

void verify_tree(const DirFd &dir, const std::string &prefix, const std::string &cert,
                 CheckoutResult &out)
{
    const int copy = ::dup(dir.get());
    DIR *stream = ::fdopendir(copy);
    BOOST_REQUIRE(stream != nullptr);
    std::vector<std::pair<std::string, unsigned char>> entries;
    while (const dirent *e = ::readdir(stream)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..")
            entries.emplace_back(name, e->d_type);
    }
    ::closedir(stream);
    for (const auto &[name, type] : entries) {
        if (type == DT_DIR) {
            verify_tree(DirFd(dir, name, false), prefix + "/" + name, cert, out);
        } else if (type == DT_REG) {
            ++out.regular_files;
            if (!evmctl_verify_at(dir, name, cert))
                out.failures.push_back(prefix + "/" + name);
        }
    }
}

// Checks out `rev` and verifies every regular file with evmctl.
CheckoutResult verify_checkout(const std::string &repo, const std::string &rev,
                               const std::string &workdir)
{
    const std::string co = workdir + "/checkout";
    sh_ok("rm -rf " + quote(co) + " && ostree checkout --repo=" + quote(repo) + " " + quote(rev) +
          " " + quote(co));
    CheckoutResult out;
    verify_tree(DirFd(co), "", world().key.cert_der, out);
    return out;
}

// Everything but security.ima kept; every regular file signed.
void check_signed(const std::string &repo)
{
    const auto before = read_commit_files(repo, "main");
    const auto after = read_commit_files(repo, "signed");
    BOOST_REQUIRE_EQUAL(before.size(), after.size());
    for (const auto &[path, b] : before) {
        const auto it = after.find(path);
        BOOST_REQUIRE_MESSAGE(it != after.end(), "missing after signing: " << path);
        const FileFacts &a = it->second;
        BOOST_TEST(a.mode == b.mode);
        BOOST_TEST(a.size == b.size);
        BOOST_TEST(a.symlink_target == b.symlink_target);
        BOOST_TEST(a.other_xattrs == b.other_xattrs);
        BOOST_TEST(a.ima.has_value() == a.regular, "path " << path);
    }
    require_fsck(repo);
}

const char *const kModes[] = {"archive", "bare-user"};

// 255-byte names, a path over 4096 bytes (20 directories of 250-byte
// names), 1,000 nested directories, a newline, quotes, backslashes and
// non-ASCII (valid UTF-8) in names.
void make_awkward_tree(const std::string &path)
{
    sh_ok("mkdir -p " + quote(path));
    const DirFd root(path);
    root.write(std::string(255, 'n'), "a 255-byte name\n");
    {
        DirFd d(root, "long", true);
        for (int i = 0; i < 20; ++i)
            d = DirFd(d, std::to_string(100 + i) + std::string(247, 'p'), true);
        d.write(std::string(255, 'f'), "over PATH_MAX\n");
    }
    {
        DirFd d(root, "deep", true);
        for (int i = 0; i < 1000; ++i)
            d = DirFd(d, "d", true);
        d.write("bottom", "1000 levels down\n");
    }
    root.write("new\nline", "a newline in the name\n");
    root.write("quote\"'\\back slash", "shell-hostile\n");
    root.write("\xc3\xbcn\xc3\xaf-\xe6\x97\xa5\xe6\x9c\xac", "non-ASCII UTF-8\n");
    root.write("\t", "a tab as the whole name\n");
}

} // namespace

BOOST_AUTO_TEST_CASE(long_names_deep_paths_and_odd_characters)
{
    const std::string dir = world().scratch("awkward");
    make_awkward_tree(dir + "/tree");
    for (const char *mode : kModes) {
        BOOST_TEST_CONTEXT(mode)
        {
            const std::string repo = dir + "/repo-" + mode;
            const Result c = commit_tree(repo, mode, dir + "/tree");
            BOOST_REQUIRE_MESSAGE(c.exit_code == 0, "ostree commit: " << c.out);
            const auto report = sign(repo);
            BOOST_TEST(report["files_signed"] == 7);
            check_signed(repo);
            const auto files = read_commit_files(repo, "signed");
            std::size_t longest = 0;
            for (const auto &[path, facts] : files)
                longest = std::max(longest, path.size());
            BOOST_TEST(longest > 4096u);
            const CheckoutResult checked = verify_checkout(repo, "signed", dir);
            BOOST_TEST(checked.regular_files == 7u);
            BOOST_TEST(checked.failures.empty(),
                       "evmctl failed on " << checked.failures.size() << " files");
        }
    }
}

// ostree refuses a name that is not UTF-8 at commit time (dirtree names are
// GVariant strings), so such a name never reaches the signer.
BOOST_AUTO_TEST_CASE(invalid_utf8_names_are_refused_by_ostree)
{
    const std::string dir = world().scratch("utf8");
    sh_ok("mkdir -p " + quote(dir + "/tree"));
    DirFd(dir + "/tree").write("bad-\xff\xfe-name", "x\n");
    const Result c = commit_tree(dir + "/repo", "archive", dir + "/tree");
    BOOST_TEST(c.exit_code != 0);
    BOOST_TEST(c.out.find("Invalid UTF-8 in filename") != std::string::npos, c.out);
}

BOOST_AUTO_TEST_CASE(many_xattrs_and_a_large_one)
{
    const std::string dir = world().scratch("xattrs");
    const std::string tree = dir + "/tree";
    sh_ok("mkdir -p " + quote(tree));
    const DirFd root(tree);
    root.write("many", "100 xattrs\n");
    root.write("large", "a 60 KiB xattr\n");
    for (int i = 0; i < 100; ++i) {
        const std::string name = "user.attr" + std::to_string(i);
        const std::string value = "value " + std::to_string(i);
        BOOST_REQUIRE(
            ::setxattr((tree + "/many").c_str(), name.c_str(), value.data(), value.size(), 0) == 0);
    }
    const std::string big(60 * 1024, 'v');
    BOOST_REQUIRE(::setxattr((tree + "/large").c_str(), "user.large", big.data(), big.size(), 0) ==
                  0);
    for (const char *mode : kModes) {
        BOOST_TEST_CONTEXT(mode)
        {
            const std::string repo = dir + "/repo-" + mode;
            const Result c = commit_tree(repo, mode, tree);
            BOOST_REQUIRE_MESSAGE(c.exit_code == 0, "ostree commit: " << c.out);
            const auto report = sign(repo);
            BOOST_TEST(report["files_signed"] == 2);
            check_signed(repo); // includes: the 101 other xattrs byte for byte
            const auto files = read_commit_files(repo, "signed");
            BOOST_TEST(files.at("/large").other_xattrs.size() > big.size());
            const CheckoutResult checked = verify_checkout(repo, "signed", dir);
            BOOST_TEST(checked.regular_files == 2u);
            BOOST_TEST(checked.failures.empty());
            // The checkout carries the xattrs back, signature included.
            std::string value(big.size() + 1, '\0');
            const ssize_t n = ::getxattr((dir + "/checkout/large").c_str(), "user.large",
                                         value.data(), value.size());
            BOOST_TEST(n == static_cast<ssize_t>(big.size()));
        }
    }
}

// `ostree commit` stops at the first fifo, device node or socket ("Not a
// regular file or symlink", checked before --skip-list applies), so no
// commit holds one and the signer never sees one.
BOOST_AUTO_TEST_CASE(special_files_are_refused_by_ostree)
{
    const std::string dir = world().scratch("special");
    struct Special {
        const char *name;
        std::function<int(const std::string &)> make;
    };
    const std::vector<Special> specials = {
        {"fifo", [](const std::string &p) { return ::mkfifo(p.c_str(), 0644); }},
        {"char-device",
         [](const std::string &p) { return ::mknod(p.c_str(), S_IFCHR | 0644, makedev(1, 3)); }},
        {"block-device",
         [](const std::string &p) { return ::mknod(p.c_str(), S_IFBLK | 0644, makedev(7, 0)); }},
        {"socket",
         [](const std::string &p) {
             const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
             sockaddr_un addr{};
             addr.sun_family = AF_UNIX;
             p.copy(addr.sun_path, sizeof addr.sun_path - 1);
             const int rc = ::bind(s, reinterpret_cast<const sockaddr *>(&addr), sizeof addr);
             ::close(s);
             return rc;
         }},
    };
    for (const auto &special : specials) {
        BOOST_TEST_CONTEXT(special.name)
        {
            const std::string tree = dir + "/tree-" + special.name;
            sh_ok("mkdir -p " + quote(tree) + " && echo regular > " + quote(tree + "/file"));
            BOOST_REQUIRE(special.make(tree + "/" + special.name) == 0);
            const Result c = commit_tree(dir + "/repo-" + special.name, "archive", tree);
            BOOST_TEST(c.exit_code != 0);
            BOOST_TEST(c.out.find("Not a regular file or symlink: " + std::string(special.name)) !=
                           std::string::npos,
                       c.out);
        }
    }
}

// Nothing to sign: the result is the very same commit, and fsck passes.
BOOST_AUTO_TEST_CASE(empty_and_symlink_only_trees)
{
    const std::string dir = world().scratch("no-files");
    sh_ok("mkdir -p " + quote(dir + "/empty") + " " + quote(dir + "/links/sub") + " && cd " +
          quote(dir + "/links") +
          " && ln -s /nonexistent dangling && ln -s dangling chain && ln -s ../.. up &&"
          " ln -s ../chain sub/link && ln -s sub dir-link");
    for (const std::string tree : {"empty", "links"}) {
        for (const char *mode : kModes) {
            BOOST_TEST_CONTEXT(tree << " in " << mode)
            {
                const std::string repo = dir + "/repo-" + tree + "-" + mode;
                const Result c = commit_tree(repo, mode, dir + "/" + tree);
                BOOST_REQUIRE_MESSAGE(c.exit_code == 0, "ostree commit: " << c.out);
                const auto report = sign(repo);
                BOOST_TEST(report["files_signed"] == 0);
                // Nothing to sign: the same tree, bound to the target ref.
                BOOST_TEST(commit_root_tree(repo, "signed") == commit_root_tree(repo, "main"));
                BOOST_TEST(commit_without_root_and_binding(repo, "signed") ==
                           commit_without_root_and_binding(repo, "main"));
                check_signed(repo);
                sh_ok("rm -rf " + quote(dir + "/co") + " && ostree checkout --repo=" + quote(repo) +
                      " signed " + quote(dir + "/co"));
                BOOST_TEST(trimmed(sh_ok("find " + quote(dir + "/co") + " -type f | wc -l")) ==
                           "0");
            }
        }
    }
}
