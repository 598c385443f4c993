// Issue #19 parts 2 and 3: the files ostree-ima writes, appends to and reads
// by name. A link, device or FIFO planted where a file is expected never
// takes a write (the victim is unchanged, one line says why, the ref stays);
// every file read is a regular file of bounded size, refused in one line,
// quickly, otherwise (docs/threat-model.md).
#define BOOST_TEST_MODULE file_safety
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "fixtures.hpp"
#include "text_files.hpp"
#include "workspace.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace test_support;

namespace {

const std::string kUuid = "8d0f2e52-2d57-4bd4-9f3c-4a1e2a7c0b11";
// A block device number no driver answers: opening the node would fail with
// ENXIO, so a refusal that names a block device shows it was not opened.
const dev_t kNoSuchBlockDevice = makedev(240, 77);

struct World : Workspace {
    KeyPair rsa;
    std::string tree, repo, before, manifest, victim, victim_text = "victim: keep me\n";
    World()
    {
        BOOST_REQUIRE_MESSAGE(geteuid() == 0, "this suite makes device nodes: run it as root");
        rsa = key("rsa");
        tree = standard_tree(rsa);
        repo = Workspace::repo("archive", tree);
        sh_ok("ostree refs --repo=" + quote(repo) + " --create=signed main");
        before = rev_parse(repo, "signed");
        manifest = dir / "digests.json";
        sh_ok(quote(binary()) + " digests -q --repo=" + quote(repo) + " main -o " +
              quote(manifest));
        victim = dir / "victim";
        write_text(victim, victim_text);
    }
};

World &world()
{
    static World w;
    return w;
}

Result ima(const std::vector<std::string> &args)
{
    std::vector<std::string> argv = {binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

// Run in the background: a FIFO that hung the open would hang the test
// instead of failing it.
Result ima_within(const std::vector<std::string> &args, const std::string &log,
                  std::chrono::seconds limit = std::chrono::seconds(20))
{
    std::vector<std::string> argv = {binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess child(argv, log);
    const bool ended = child.ends_within(limit);
    BOOST_TEST(ended, "still running after " << limit.count() << " s: " << argv[1]);
    if (!ended)
        return {};
    return child.wait();
}

void expect_refusal(const Result &r, const std::string &needle, const std::string &what)
{
    BOOST_TEST(r.exit_code == 1, what << ": exit " << r.exit_code << ", " << r.err);
    BOOST_TEST(r.err.find(needle) != std::string::npos,
               what << ": stderr lacks '" << needle << "': " << r.err);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, what << ": " << r.err);
    BOOST_TEST(r.err.find("internal error") == std::string::npos, what << ": " << r.err);
}

void expect_untouched()
{
    World &w = world();
    BOOST_TEST(read_text(w.victim) == w.victim_text);
    BOOST_TEST(rev_parse(w.repo, "signed") == w.before);
}

std::vector<std::string> sign_args(const std::vector<std::string> &extra)
{
    World &w = world();
    std::vector<std::string> a = {"sign", "--repo=" + w.repo, "--key=" + w.rsa.key_pem,
                                  "--cert=" + w.rsa.cert_pem};
    a.insert(a.end(), extra.begin(), extra.end());
    a.emplace_back("main");
    a.emplace_back("signed");
    return a;
}

std::vector<std::string> sign_digests_args(const std::string &out,
                                           const std::vector<std::string> &extra = {})
{
    World &w = world();
    std::vector<std::string> a = {"sign-digests", "--yes", "-q", "--key=" + w.rsa.key_pem,
                                  "--cert=" + w.rsa.cert_pem};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(w.manifest);
    a.emplace_back("-o");
    a.push_back(out);
    return a;
}

std::vector<std::string> policy_args(const std::string &dir, bool force)
{
    World &w = world();
    std::vector<std::string> a = {"policy",   "-q",  "--cert", w.rsa.cert_pem,
                                  "--fsuuid", kUuid, "-o",     dir};
    if (force)
        a.emplace_back("--force");
    return a;
}

std::string make_fifo(const std::string &path)
{
    BOOST_REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    return path;
}

std::string make_block_node(const std::string &path)
{
    BOOST_REQUIRE(::mknod(path.c_str(), S_IFBLK | 0600, kNoSuchBlockDevice) == 0);
    return path;
}

bool is_symlink(const std::string &path)
{
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

} // namespace

BOOST_AUTO_TEST_SUITE(appended_files)

// A link planted at the cache path made the next root run append to (or
// create) the file it points to.
BOOST_AUTO_TEST_CASE(a_link_at_the_cache_path_is_refused)
{
    World &w = world();
    TempDir d;
    const std::string cache = d / "cache";
    std::filesystem::create_symlink(w.victim, cache);
    expect_refusal(ima(sign_args({"--signature-cache=" + cache})),
                   "signature cache " + cache + ": it is a symbolic link", "sign");
    expect_refusal(ima(sign_digests_args(d / "s.json", {"--signature-cache=" + cache})),
                   "it is a symbolic link", "sign-digests");
    BOOST_TEST(!std::filesystem::exists(d / "s.json"));
    // A dangling link would have been followed to create its target.
    const std::string dangling = d / "dangling";
    std::filesystem::create_symlink(d / "created", dangling);
    expect_refusal(ima(sign_args({"--signature-cache=" + dangling})), "it is a symbolic link",
                   "dangling");
    BOOST_TEST(!std::filesystem::exists(d / "created"));
    expect_untouched();
}

// A hard link, or a file another user planted (and may swap later), is
// not the caller's cache either.
BOOST_AUTO_TEST_CASE(a_hard_link_or_a_file_of_another_user_is_refused)
{
    World &w = world();
    TempDir d;
    const std::string hard = d / "hard";
    BOOST_REQUIRE(::link(w.victim.c_str(), hard.c_str()) == 0);
    expect_refusal(ima(sign_args({"--signature-cache=" + hard})), "it has 2 hard links",
                   "hard link");
    BOOST_REQUIRE(::unlink(hard.c_str()) == 0);
    const std::string theirs = d / "theirs";
    write_text(theirs, "# ostree-ima signature cache 1\n");
    BOOST_REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
    expect_refusal(ima(sign_args({"--signature-cache=" + theirs})), "is owned by uid 65534",
                   "owner");
    BOOST_TEST(read_text(theirs) == "# ostree-ima signature cache 1\n");
    expect_untouched();
}

BOOST_AUTO_TEST_CASE(a_link_at_the_audit_log_path_is_refused)
{
    World &w = world();
    TempDir d;
    const std::string log = d / "audit.jsonl";
    std::filesystem::create_symlink(w.victim, log);
    expect_refusal(ima(sign_digests_args(d / "s.json", {"--audit-log=" + log})),
                   "cannot open audit log " + log + ": it is a symbolic link", "audit log");
    BOOST_TEST(!std::filesystem::exists(d / "s.json"));
    expect_untouched();
}

// Not opened (the node's device has no driver: an open would say so), not
// written, one line.
BOOST_AUTO_TEST_CASE(devices_fifos_and_directories_are_never_appended_to)
{
    TempDir d;
    const std::string block = make_block_node(d / "block");
    const std::string fifo = make_fifo(d / "fifo");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {block, "it is a block device"},
        {fifo, "it is a FIFO"},
        {"/dev/zero", "it is a character device"},
        {d.path(), "it is a directory"},
    };
    for (const auto &[path, needle] : cases) {
        expect_refusal(ima_within(sign_args({"--signature-cache=" + path}), d / "log"), needle,
                       "cache " + path);
        expect_refusal(
            ima_within(sign_digests_args(d / "s.json", {"--audit-log=" + path}), d / "log"), needle,
            "audit log " + path);
    }
    BOOST_TEST(!std::filesystem::exists(d / "s.json"));
    expect_untouched();
}

// A cache on a read-only mount that holds every signature the run needs is
// read, not refused; one that lacks one fails when that line must be written.
BOOST_AUTO_TEST_CASE(a_read_only_cache_with_every_signature_is_usable)
{
    World &w = world();
    TempDir d;
    const std::string cache = d / "ro/cache";
    std::filesystem::create_directory(d / "ro");
    BOOST_REQUIRE(ima(sign_args({"-q", "--signature-cache=" + cache})).exit_code == 0);
    const std::string full = rev_parse(w.repo, "signed");
    sh_ok("ostree reset --repo=" + quote(w.repo) + " signed " + w.before);
    const std::string cache_text = read_text(cache);
    // A private mount namespace: the read-only bind mount ends with the run.
    const auto in_read_only = [&](const std::vector<std::string> &args) {
        std::string line = "mount --bind " + quote(d / "ro") + " " + quote(d / "ro") +
                           " && mount -o remount,bind,ro " + quote(d / "ro") + " && exec";
        for (const auto &a : args)
            line += " " + quote(a);
        return sh("unshare -m sh -c " + quote(line));
    };
    std::vector<std::string> args = {binary()};
    for (const auto &a : sign_args({"--signature-cache=" + cache}))
        args.push_back(a);
    const Result r = in_read_only(args);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("0 signatures made by the key") != std::string::npos, r.err);
    BOOST_TEST(rev_parse(w.repo, "signed") == full);
    BOOST_TEST(read_text(cache) == cache_text);
    sh_ok("ostree reset --repo=" + quote(w.repo) + " signed " + w.before);

    // One line less: the key must sign it, and the cache cannot take it.
    const auto last = cache_text.rfind('\n', cache_text.size() - 2);
    write_text(cache, cache_text.substr(0, last + 1));
    const Result lacking = in_read_only(args);
    expect_refusal(lacking, "cannot add a signature to signature cache", "read-only, lacking");
    BOOST_TEST(lacking.err.find("Read-only file system") != std::string::npos, lacking.err);
    BOOST_TEST(rev_parse(w.repo, "signed") == w.before);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(written_files)

BOOST_AUTO_TEST_CASE(a_fifo_or_device_planted_at_the_output_is_refused)
{
    World &w = world();
    TempDir d;
    const std::string fifo = make_fifo(d / "fifo");
    const std::string block = make_block_node(d / "block");
    const std::string uri = "pkcs11:token=none;object=none;type=cert";
    for (const std::string &path : {fifo, block, std::string("/dev/zero")}) {
        const std::string kind = path == fifo    ? "a FIFO"
                                 : path == block ? "a block device"
                                                 : "a character device";
        expect_refusal(ima_within({"digests", "--repo=" + w.repo, "main", "-o", path}, d / "log"),
                       "refusing to write manifest to " + path + ": it is " + kind, "digests");
        expect_refusal(ima_within(sign_digests_args(path), d / "log"), "it is " + kind,
                       "sign-digests");
        // Refused before the token is looked for.
        expect_refusal(ima_within({"keys", "--export-cert", uri, "-o", path}, d / "log"),
                       "it is " + kind, "keys");
    }
    // --force does not make a block device writable.
    expect_refusal(ima_within({"keys", "--export-cert", uri, "-o", block, "--force"}, d / "log"),
                   "it is a block device; ostree-ima never writes into one", "keys --force");
    const std::string dir = d / "policy";
    std::filesystem::create_directory(dir);
    make_block_node(dir + "/ima-policy");
    expect_refusal(ima_within(policy_args(dir, true), d / "log"), "it is a block device",
                   "policy --force");
    // Refused before any file of the set was written.
    BOOST_TEST(!std::filesystem::exists(dir + "/load-keys.sh"));
}

// Without --force a FIFO is refused; with it, written into (never replaced).
BOOST_AUTO_TEST_CASE(a_fifo_takes_the_output_only_with_force)
{
    TempDir d;
    const std::string dir = d / "policy";
    std::filesystem::create_directory(dir);
    const std::string fifo = make_fifo(dir + "/ima-policy");
    expect_refusal(ima_within(policy_args(dir, false), d / "log"),
                   "it is a FIFO; add --force to write into it", "policy");
    BOOST_TEST(std::filesystem::directory_iterator(dir)->path().filename() == "ima-policy");
    // Nobody reads it: a failure now, not a hang.
    expect_refusal(ima_within(policy_args(dir, true), d / "log"), "no process reads from it",
                   "no reader");
    const std::string got = d / "read";
    ChildProcess reader({"/bin/sh", "-c", "cat " + quote(fifo) + " > " + quote(got)}, d / "reader");
    const Result forced = ima_within(policy_args(dir, true), d / "log");
    BOOST_TEST(forced.exit_code == 0, forced.err);
    BOOST_TEST(reader.ends_within(std::chrono::seconds(20)));
    BOOST_TEST(read_text(got).find("appraise") != std::string::npos, read_text(got));
    struct stat st {};
    BOOST_TEST((::lstat(fifo.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)));
}

// A link at the output path is never followed: refused without --force,
// replaced (the link, not its target) with it or where the command
// replaces its file anyway.
BOOST_AUTO_TEST_CASE(a_link_at_the_output_never_redirects_the_write)
{
    World &w = world();
    TempDir d;
    const std::string dir = d / "policy";
    std::filesystem::create_directory(dir);
    std::filesystem::create_symlink(w.victim, dir + "/ima-policy");
    expect_refusal(ima(policy_args(dir, false)), dir + "/ima-policy: it is a symbolic link",
                   "policy");
    BOOST_TEST(!std::filesystem::exists(dir + "/load-keys.sh"));
    const Result forced = ima(policy_args(dir, true));
    BOOST_TEST(forced.exit_code == 0, forced.err);
    BOOST_TEST(!is_symlink(dir + "/ima-policy"));
    BOOST_TEST(read_text(dir + "/ima-policy").find("appraise") != std::string::npos);

    const std::string link = d / "manifest.json";
    std::filesystem::create_symlink(w.victim, link);
    const Result digests = ima({"digests", "-q", "--repo=" + w.repo, "main", "-o", link});
    BOOST_TEST(digests.exit_code == 0, digests.err);
    BOOST_TEST(!is_symlink(link));
    BOOST_TEST(read_text(link) == read_text(w.manifest));

    // policy -o DIR: a link planted as DIR is refused too.
    const std::string dir_link = d / "dir-link";
    std::filesystem::create_symlink(d / "elsewhere", dir_link);
    std::filesystem::create_directory(d / "elsewhere");
    expect_refusal(ima(policy_args(dir_link, true)), "it is a symbolic link, not a directory",
                   "policy DIR");
    BOOST_TEST(std::filesystem::is_empty(d / "elsewhere"));
    expect_untouched();
}

BOOST_AUTO_TEST_CASE(an_existing_file_is_replaced_only_with_force)
{
    TempDir d;
    const std::string dir = d / "policy";
    std::filesystem::create_directory(dir);
    write_text(dir + "/ima-policy", "mine\n");
    expect_refusal(ima(policy_args(dir, false)), "already exists; add --force", "policy");
    BOOST_TEST(read_text(dir + "/ima-policy") == "mine\n");
    const Result forced = ima(policy_args(dir, true));
    BOOST_TEST(forced.exit_code == 0, forced.err);
    BOOST_TEST(read_text(dir + "/ima-policy") != "mine\n");
    const std::string out = d / "cert.der";
    write_text(out, "mine\n");
    expect_refusal(ima({"keys", "--export-cert", "pkcs11:token=none;type=cert", "-o", out}),
                   out + " already exists; add --force", "keys");
    BOOST_TEST(read_text(out) == "mine\n");
    // A directory is never replaced.
    expect_refusal(
        ima({"keys", "--export-cert", "pkcs11:token=none;type=cert", "-o", d.path(), "--force"}),
        "it is a directory", "keys directory");
}

// What scripts use keeps working: stdout, /dev/stdout, /dev/null (the
// machine's and a node of it elsewhere), a shell's >(...) (/dev/fd/N).
BOOST_AUTO_TEST_CASE(stdout_dev_stdout_dev_null_and_process_substitution_work)
{
    World &w = world();
    TempDir d;
    const std::string expected = read_text(w.manifest);
    const std::string digests = quote(binary()) + " digests -q --repo=" + quote(w.repo) + " main";
    BOOST_TEST(sh(digests + " -o -").out == expected);
    BOOST_TEST(sh(digests + " -o /dev/stdout").out == expected);
    // /dev/stdout redirected to a file: written into that descriptor, the
    // /dev/stdout link left alone.
    sh_ok(digests + " -o /dev/stdout > " + quote(d / "redirected"));
    BOOST_TEST(read_text(d / "redirected") == expected);
    BOOST_TEST(is_symlink("/dev/stdout"));
    const Result null = sh(digests + " -o /dev/null");
    BOOST_TEST(null.exit_code == 0, null.err);
    BOOST_TEST(null.out.empty());
    struct stat st {};
    BOOST_TEST((::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)));
    const Result substituted =
        run({"bash", "-c", digests + " -o >(cat > " + quote(d / "substituted") + "); wait $!"});
    BOOST_TEST(substituted.exit_code == 0, substituted.err);
    BOOST_TEST(read_text(d / "substituted") == expected);
    const Result signatures =
        run({"bash", "-c",
             quote(binary()) + " sign-digests --yes -q --key=" + quote(w.rsa.key_pem) + " " +
                 quote(w.manifest) + " -o /dev/fd/3 3> " + quote(d / "fd3")});
    BOOST_TEST(signatures.exit_code == 0, signatures.err);
    BOOST_TEST(read_text(d / "fd3").find("ostree-ima-signatures") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(read_files)

// A directory, /dev/zero or a FIFO as an input: one line naming it, at once
// (a FIFO used to hang past SIGINT, /dev/zero to read 7.9 GB, a directory
// to end in "internal error: basic_filebuf::underflow").
BOOST_AUTO_TEST_CASE(directories_devices_and_fifos_are_refused_at_once)
{
    World &w = world();
    TempDir d;
    const std::string fifo = make_fifo(d / "fifo");
    for (const std::string &path : {d.path(), std::string("/dev/zero"), fifo}) {
        const std::string kind = path == fifo          ? "a FIFO"
                                 : path == "/dev/zero" ? "a character device"
                                                       : "a directory";
        const std::string log = d / "log";
        expect_refusal(ima_within(sign_args({"--signature-cache=" + path}), log), kind,
                       "--signature-cache " + path);
        std::vector<std::string> cert = sign_args({});
        cert[3] = "--cert=" + path;
        expect_refusal(ima_within(cert, log),
                       "certificate " + path + " is not a regular file (" + kind +
                           "); check --cert",
                       "--cert " + path);
        // (The file is refused before any key opens: the EVM key's being the
        // IMA key is never reached.)
        expect_refusal(
            ima_within(
                sign_args({"--evm", "--evm-key=" + world().rsa.key_pem, "--evm-cert=" + path}),
                log),
            "EVM certificate " + path + " is not a regular file (" + kind + "); check --evm-cert",
            "--evm-cert " + path);
        std::vector<std::string> policy = policy_args(d / "p", false);
        policy[3] = path;
        expect_refusal(ima_within(policy, log), "is not a regular file (" + kind + ")",
                       "policy --cert " + path);
        std::vector<std::string> key = sign_args({});
        key[2] = "--key=" + path;
        expect_refusal(ima_within(key, log), "key file " + path + " is not a regular file",
                       "--key " + path);
        expect_refusal(ima_within({"sign-digests", "--yes", "--key=" + w.rsa.key_pem, path}, log),
                       "manifest " + path + " is not a regular file", "manifest " + path);
        expect_refusal(ima_within({"apply", "--repo=" + w.repo, "--cert=" + w.rsa.cert_pem,
                                   "--signatures=" + path, "main", "signed"},
                                  log),
                       "signatures file " + path + " is not a regular file", "signatures");
    }
    expect_untouched();
}

// A PIN file may be a FIFO (a PIN handed over by a pipe: test_faults,
// test_secrets), but not a directory, and /dev/zero is cut short.
BOOST_AUTO_TEST_CASE(pin_files_are_bounded)
{
    World &w = world();
    TempDir d;
    const std::string enc = d / "enc.pem";
    sh_ok("openssl pkey -in " + quote(w.rsa.key_pem) + " -aes256 -passout pass:right -out " +
          quote(enc));
    std::vector<std::string> args = sign_args({"--pin-file=/dev/zero"});
    args[2] = "--key=" + enc;
    expect_refusal(ima_within(args, d / "log"), "PIN file /dev/zero holds no line of at most",
                   "/dev/zero");
    args[4] = "--pin-file=" + d.path();
    expect_refusal(ima_within(args, d / "log"), "is not a regular file (a directory)", "directory");
    expect_untouched();
}

BOOST_AUTO_TEST_SUITE_END()
