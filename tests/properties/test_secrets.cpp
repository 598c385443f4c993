// No secret appears in anything the tool writes: stdout, stderr, JSON,
// signature files, audit logs, the repository. Success and failure cases,
// and the wrong secret as well as the right one (a message that echoed a
// wrong passphrase passed a scan for the right one only). And the signer
// is not dumpable while it holds one.
#define BOOST_TEST_MODULE secrets
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "prerequisites.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

using namespace test_support;

// Skipped (exit 77) without SoftHSM2; a failure under OSTREE_IMA_REQUIRE_ALL=1.
OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {
// In a forked child: runs argv (found on PATH when `search_path`), or exits
// 127.
[[noreturn]] void exec_child(const std::vector<std::string> &argv, bool search_path)
{
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    if (search_path)
        execvp(args[0], args.data());
    else
        execv(args[0], args.data());
    _exit(127);
}
// Distinctive secrets, so that a hit is never a coincidence.
const std::string kPin = "Zq7-pin-4713";
const std::string kWrongPin = "Zq7-pin-4714";
const std::string kPassphrase = "Zq7-pass-8812";
const std::string kWrongPassphrase = "Zq7-pass-8813";
const std::vector<std::string> kSecrets = {kPin, kWrongPin, kPassphrase, kWrongPassphrase};

void write_secret(const std::string &path, const std::string &secret)
{
    sh_ok("umask 077; printf '%s\\n' " + quote(secret) + " > " + quote(path));
}

struct World : Workspace {
    std::map<std::string, std::string> env;
    std::string pin_file, bad_pin_file, repo, cert;
    KeyPair file_key; // its key_pem is encrypted with kPassphrase
    std::string passphrase_file, bad_passphrase_file;
    World()
    {
        sh_ok(quote(source_dir() + "/softhsm-fixtures/make-token.sh") + " --force " +
              quote(dir / "hsm") + " " + quote(kPin) + " >/dev/null 2>&1");
        env = read_env_file(dir / "hsm/env");
        pin_file = dir / "hsm/pin";
        bad_pin_file = dir / "bad-pin";
        write_secret(bad_pin_file, kWrongPin);
        passphrase_file = dir / "passphrase";
        bad_passphrase_file = dir / "bad-passphrase";
        write_secret(passphrase_file, kPassphrase);
        write_secret(bad_passphrase_file, kWrongPassphrase);
        file_key = key("file-key");
        sh_ok("openssl pkey -in " + quote(file_key.key_pem) + " -aes256 -passout file:" +
              quote(passphrase_file) + " -out " + quote(file_key.key_pem + ".enc") + " && mv " +
              quote(file_key.key_pem + ".enc") + " " + quote(file_key.key_pem));
        cert = dir / "hsm/certs/ec-p256.der";
        repo = Workspace::repo("archive", standard_tree(key("other")));
    }
};

World &world()
{
    static World w;
    return w;
}

const std::string kUri = "pkcs11:token=ostree-ima-test;object=ec-p256;type=private";

// Every secret, right and wrong, whichever the run used.
void no_secret_in(const Result &r, const std::string &what)
{
    for (const auto &secret : kSecrets) {
        BOOST_TEST(r.out.find(secret) == std::string::npos, what << ": " << secret << " on stdout");
        BOOST_TEST(r.err.find(secret) == std::string::npos, what << ": " << secret << " on stderr");
    }
}

// No file under these paths holds any secret.
void no_secret_in_files(const std::vector<std::string> &paths)
{
    std::string args;
    for (const auto &path : paths)
        args += " " + quote(path);
    for (const auto &secret : kSecrets) {
        const Result grep = sh("grep -rlaF -- " + quote(secret) + args);
        BOOST_TEST(grep.exit_code == 1, secret << " found in: " << grep.out);
    }
}
} // namespace

BOOST_AUTO_TEST_CASE(pin_never_in_output_files_or_repository)
{
    World &w = world();
    std::vector<Result> results;
    // Success: PIN from a file, from the environment, from the URI's pin-source.
    results.push_back(run({binary(), "sign", "--json", "--repo=" + w.repo, "--key=" + kUri,
                           "--pin-file=" + w.pin_file, "main", "a"},
                          w.env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    auto env = w.env;
    env["OSTREE_IMA_PIN"] = kPin;
    results.push_back(run(
        {binary(), "sign", "--overwrite", "--repo=" + w.repo, "--key=" + kUri, "main", "b"}, env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    results.push_back(run({binary(), "keys", "--login", "--json", "--pin-file=" + w.pin_file,
                           "pkcs11:token=ostree-ima-test"},
                          w.env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    // The signing room: manifest, signatures file and audit log.
    const std::string manifest = w.dir / "digests.json";
    const std::string sigs = w.dir / "signatures.json";
    const std::string audit = w.dir / "audit.log";
    results.push_back(
        run({binary(), "digests", "--repo=" + w.repo, "main", "-o", manifest}, w.env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    results.push_back(
        run({binary(), "sign-digests", "--yes", "--key=" + kUri + "?pin-source=file:" + w.pin_file,
             "--audit-log=" + audit, manifest, "-o", sigs},
            w.env));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    // Failures: a wrong PIN (file, environment, pin-source, keys --login),
    // a key that does not exist.
    results.push_back(run({binary(), "sign", "--repo=" + w.repo, "--key=" + kUri,
                           "--pin-file=" + w.bad_pin_file, "main", "wrong-pin"},
                          w.env));
    BOOST_TEST(results.back().exit_code == 1);
    BOOST_TEST(results.back().err.find("wrong PIN") != std::string::npos, results.back().err);
    auto bad_env = w.env;
    bad_env["OSTREE_IMA_PIN"] = kWrongPin;
    results.push_back(
        run({binary(), "sign", "--repo=" + w.repo, "--key=" + kUri, "main", "wrong-pin"}, bad_env));
    BOOST_TEST(results.back().exit_code == 1);
    BOOST_TEST(results.back().err.find("wrong PIN") != std::string::npos, results.back().err);
    results.push_back(
        run({binary(), "sign-digests", "--yes",
             "--key=" + kUri + "?pin-source=file:" + w.bad_pin_file, manifest, "-o", sigs + ".bad"},
            w.env));
    BOOST_TEST(results.back().exit_code == 1);
    BOOST_TEST(results.back().err.find("wrong PIN") != std::string::npos, results.back().err);
    results.push_back(run({binary(), "keys", "--login", "--pin-file=" + w.bad_pin_file,
                           "pkcs11:token=ostree-ima-test"},
                          w.env));
    BOOST_TEST(results.back().exit_code == 1);
    BOOST_TEST(results.back().err.find("wrong PIN") != std::string::npos, results.back().err);
    results.push_back(run({binary(), "sign", "--repo=" + w.repo,
                           "--key=pkcs11:token=ostree-ima-test;object=none", "main", "d"},
                          env));
    BOOST_TEST(results.back().exit_code == 1);
    for (std::size_t i = 0; i < results.size(); ++i)
        no_secret_in(results[i], "run " + std::to_string(i));

    // Nothing the tool wrote holds it: files, audit log, the whole repository.
    no_secret_in_files({manifest, sigs, audit, w.repo});
    BOOST_TEST(!ref_exists(w.repo, "wrong-pin"));
    // The check can fail: the PIN files hold them.
    BOOST_TEST(sh("grep -qF " + quote(kPin) + " " + quote(w.pin_file)).exit_code == 0);
    BOOST_TEST(sh("grep -qF " + quote(kWrongPin) + " " + quote(w.bad_pin_file)).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(passphrase_never_in_output_files_or_repository)
{
    World &w = world();
    const std::string key = "--key=" + w.file_key.key_pem;
    const std::string cert = "--cert=" + w.file_key.cert_der;
    std::vector<Result> results;
    // Success: passphrase from a file and from the environment.
    results.push_back(run({binary(), "sign", "--json", "--repo=" + w.repo, key, cert,
                           "--pin-file=" + w.passphrase_file, "main", "p1"}));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    results.push_back(
        run({binary(), "sign", "--overwrite", "--repo=" + w.repo, key, cert, "main", "p2"},
            {{"OSTREE_IMA_PIN", kPassphrase}}));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    const std::string manifest = w.dir / "p-digests.json";
    const std::string sigs = w.dir / "p-signatures.json";
    const std::string audit = w.dir / "p-audit.log";
    results.push_back(run({binary(), "digests", "--repo=" + w.repo, "main", "-o", manifest}));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    results.push_back(
        run({binary(), "sign-digests", "--yes", key, cert, "--pin-file=" + w.passphrase_file,
             "--audit-log=" + audit, manifest, "-o", sigs}));
    BOOST_TEST(results.back().exit_code == 0, results.back().err);
    // Failures: the wrong passphrase from a file and from the environment,
    // in sign and sign-digests, and none at all.
    results.push_back(run({binary(), "sign", "--repo=" + w.repo, key, cert,
                           "--pin-file=" + w.bad_passphrase_file, "main", "p3"}));
    BOOST_TEST(results.back().exit_code == 1);
    BOOST_TEST(results.back().err.find("wrong passphrase") != std::string::npos,
               results.back().err);
    results.push_back(run({binary(), "sign", "--repo=" + w.repo, key, cert, "main", "p3"},
                          {{"OSTREE_IMA_PIN", kWrongPassphrase}}));
    BOOST_TEST(results.back().exit_code == 1);
    BOOST_TEST(results.back().err.find("wrong passphrase") != std::string::npos,
               results.back().err);
    results.push_back(run({binary(), "sign-digests", "--yes", key, cert,
                           "--pin-file=" + w.bad_passphrase_file, manifest, "-o", sigs + ".bad"}));
    BOOST_TEST(results.back().exit_code == 1);
    BOOST_TEST(results.back().err.find("wrong passphrase") != std::string::npos,
               results.back().err);
    results.push_back(run({binary(), "sign", "--repo=" + w.repo, key, cert, "main", "p3"}));
    BOOST_TEST(results.back().exit_code == 1);
    for (std::size_t i = 0; i < results.size(); ++i)
        no_secret_in(results[i], "run " + std::to_string(i));
    no_secret_in_files({manifest, sigs, audit, w.repo});
    BOOST_TEST(!ref_exists(w.repo, "p3"));
    // The check can fail: the passphrase files hold them.
    BOOST_TEST(sh("grep -qF " + quote(kPassphrase) + " " + quote(w.passphrase_file)).exit_code ==
               0);
    BOOST_TEST(
        sh("grep -qF " + quote(kWrongPassphrase) + " " + quote(w.bad_passphrase_file)).exit_code ==
        0);
}

BOOST_AUTO_TEST_CASE(pin_value_on_the_command_line_warns_but_is_not_echoed)
{
    World &w = world();
    const Result r =
        run({binary(), "sign", "--repo=" + w.repo, "--key=" + kUri + "?pin-value=" + kPin, "main"},
            w.env);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.find("visible to other users") != std::string::npos, r.err);
    no_secret_in(r, "pin-value");
}

// Issue #10: a PIN under a misspelled or percent-encoded attribute name was
// printed back in the error. No spelling brings it into a message or the
// audit log; the scheme matches in any case.
BOOST_AUTO_TEST_CASE(pin_under_any_uri_spelling_is_never_echoed)
{
    World &w = world();
    for (const std::string spelling :
         {"pin%2Dvalue", "pin-valu%65", "%70in-value", "pinvalue", "pin_value"}) {
        for (const std::string separator : {"?", ";"}) {
            const std::string what = separator + spelling;
            const Result r =
                run({binary(), "sign", "--repo=" + w.repo,
                     "--key=" + kUri + separator + spelling + "=" + kPin, "main", "spelled"},
                    w.env);
            BOOST_TEST(r.exit_code == 2, what << ": exit " << r.exit_code << ": " << r.err);
            BOOST_TEST(r.err.find("is not understood: unknown") != std::string::npos,
                       what << ": " << r.err);
            no_secret_in(r, what);
        }
    }
    BOOST_TEST(!ref_exists(w.repo, "spelled"));

    // A blank before pin-value: p11-kit removes blanks, so this is a PIN
    // that logs in; the audit log names the key without it.
    const std::string manifest = w.dir / "blank-digests.json";
    const std::string sigs = w.dir / "blank-signatures.json";
    const std::string audit = w.dir / "blank-audit.log";
    const Result d = run({binary(), "digests", "--repo=" + w.repo, "main", "-o", manifest}, w.env);
    BOOST_REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    const Result s =
        run({binary(), "sign-digests", "--yes", "--key=" + kUri + "? pin-value=" + kPin,
             "--audit-log=" + audit, manifest, "-o", sigs},
            w.env);
    BOOST_TEST(s.exit_code == 0, s.err);
    no_secret_in(s, "blank before pin-value");
    const Result in_audit = sh("grep -caF " + quote(kPin) + " " + quote(audit));
    BOOST_TEST(in_audit.exit_code == 1, "PIN in the audit log: " << in_audit.out);
    BOOST_TEST(sh("grep -cF " + quote("\"key\":\"" + kUri + "\"") + " " + quote(audit)).exit_code ==
               0);

    // "PKCS11:" is a URI too (RFC 7512), not a key file name.
    const Result upper = run({binary(), "sign", "--repo=" + w.repo,
                              "--key=PKCS11:token=ostree-ima-test;object=ec-p256;type=private",
                              "--pin-file=" + w.pin_file, "--cert=" + w.cert, "main", "upper"},
                             w.env);
    BOOST_TEST(upper.exit_code == 0, upper.err);
    no_secret_in(upper, "upper-case scheme");
}

// libp11's engine prints the key id it was given when it cannot find the
// key: with a pin-value in the URI, that was the PIN on stderr.
// A secret where a file name belongs (pin-source=SECRET): whatever keeps
// the pin-source from being read, the message shows no part of it.
BOOST_AUTO_TEST_CASE(unreadable_pin_source_is_never_shown)
{
    World &w = world();
    sh_ok("mkdir -p " + quote(w.dir / kWrongPin)); // a directory, not a PIN file
    const std::vector<std::pair<std::string, std::string>> cases = {
        {kPin, "cannot read the URI's pin-source file: No such file or directory"},
        {"file:" + kPin, "cannot read the URI's pin-source file: No such file or directory"},
        {"file://" + kPin, "cannot read the URI's pin-source file: No such file or directory"},
        {"x:" + kPin, "unsupported pin-source in the PKCS#11 URI (not shown)"},
        {"file:" + std::string(w.dir / kWrongPin),
         "the URI's pin-source file is not a regular file (a directory)"},
    };
    for (const auto &[source, message] : cases) {
        const Result r = run({binary(), "sign", "--repo=" + w.repo,
                              "--key=" + kUri + "?pin-source=" + source, "main", "shown"},
                             w.env);
        BOOST_TEST(r.exit_code == 1, source << ": exit " << r.exit_code << ": " << r.err);
        BOOST_TEST(r.err.find(message) != std::string::npos, source << ": " << r.err);
        BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, source << ": " << r.err);
        BOOST_TEST(r.err.find("Zq7") == std::string::npos, source << ": " << r.err);
        no_secret_in(r, source);
    }
    BOOST_TEST(!ref_exists(w.repo, "shown"));
}

BOOST_AUTO_TEST_CASE(engine_route_never_echoes_the_pin)
{
    World &w = world();
    const std::string uri = "pkcs11:token=ostree-ima-test;object=none;type=private";
    const Result r = run({binary(), "sign", "--repo=" + w.repo, "--engine=pkcs11",
                          "--key=" + uri + ";pin-value=" + kPin, "main", "engine"},
                         w.env);
    BOOST_TEST(r.exit_code == 1, r.err);
    BOOST_TEST(r.err.find("cannot load key " + uri + ":") != std::string::npos, r.err);
    // What libp11 said is still there, with the key as messages show it.
    BOOST_TEST(r.err.find("not found at: " + uri + "\n") != std::string::npos, r.err);
    no_secret_in(r, "engine, pin-value in the URI");
    BOOST_TEST(!ref_exists(w.repo, "engine"));
}

namespace {
// A process started in the background, its output in files; killed (if
// still running) and reaped when it goes out of scope.
class Background {
  public:
    Background(const std::vector<std::string> &argv, const std::string &out, const std::string &err)
    {
        pid_ = fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int n = ::open("/dev/null", O_RDONLY);
            if (o < 0 || e < 0 || n < 0 || dup2(n, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
                _exit(127);
            exec_child(argv, true);
        }
    }
    Background(const Background &) = delete;
    Background &operator=(const Background &) = delete;
    ~Background()
    {
        if (!exited_) {
            ::kill(pid_, SIGKILL);
            (void)wait_exit();
        }
    }
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool running()
    {
        int status = 0;
        if (exited_ || waitpid(pid_, &status, WNOHANG) == 0)
            return !exited_;
        exited_ = true;
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
    }
    int wait_exit()
    {
        if (!exited_) {
            int status = 0;
            while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            exited_ = true;
            code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        return code_;
    }

  private:
    pid_t pid_ = -1;
    bool exited_ = false;
    int code_ = -1;
};

std::string read_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The value of a "Name:" line of /proc/PID/status ("Uid:" -> "65534\t...").
std::string status_field(pid_t pid, const std::string &name)
{
    std::istringstream lines(read_file("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind(name + ":", 0) == 0)
            return line.substr(name.size() + 1);
    return "";
}

// Who owns /proc/PID: the process's uid while it is dumpable, root when it
// is not (proc(5), PR_SET_DUMPABLE), whatever uid it runs as.
uid_t proc_owner(pid_t pid)
{
    struct stat st {};
    BOOST_REQUIRE(::stat(("/proc/" + std::to_string(pid) + "/status").c_str(), &st) == 0);
    return st.st_uid;
}

template <typename Predicate> bool wait_until(Predicate done, std::chrono::seconds limit)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

constexpr uid_t kNobody = 65534;
} // namespace

// A PIN, a passphrase or a decrypted key in memory must not reach a core
// file or another process of the same user: the CLI sets PR_SET_DUMPABLE 0
// (and RLIMIT_CORE 0) first thing. The kernel shows a non-dumpable process
// with its /proc files owned by root: so the signer runs as nobody, stopped
// half-way through reading its key passphrase from a fifo, and its /proc
// files must be root's. A process that did not set it (sleep, same uid)
// shows what the check sees otherwise.
BOOST_AUTO_TEST_CASE(signer_is_not_dumpable_while_it_holds_a_secret)
{
    World &w = world();
    BOOST_REQUIRE_MESSAGE(geteuid() == 0, "this test runs the signer as nobody: run it as root");
    TempDir d;
    const std::string key = d / "key.pem";
    const std::string fifo = d / "passphrase";
    const std::string signer = d / "ostree-ima";
    sh_ok("chmod 0755 " + quote(d.path()) + " && cp " + quote(w.file_key.key_pem) + " " +
          quote(key) + " && chmod 0644 " + quote(key) + " && cp " + quote(binary()) + " " +
          quote(signer) + " && mkfifo -m 0666 " + quote(fifo));
    const std::vector<std::string> as_nobody = {
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--"};
    std::vector<std::string> argv = as_nobody;
    argv.insert(argv.end(), {signer, "sign", "--repo=" + (d / "no-repo"), "--key=" + key,
                             "--pin-file=" + fifo, "main"});
    Background run_(argv, d / "out", d / "err");

    // The signer opens the fifo when OpenSSL asks for the passphrase.
    int fd = -1;
    BOOST_REQUIRE_MESSAGE(wait_until(
                              [&] {
                                  fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
                                  return fd >= 0 || !run_.running();
                              },
                              std::chrono::seconds(30)) &&
                              fd >= 0,
                          "the signer never opened its pin file: " << read_file(d / "err"));
    // Half of the passphrase, no newline: it has read it and waits for more.
    const std::string first = kPassphrase.substr(0, 6);
    BOOST_REQUIRE(::write(fd, first.data(), first.size()) == static_cast<ssize_t>(first.size()));
    BOOST_REQUIRE(wait_until(
        [&] {
            int unread = -1;
            return ::ioctl(fd, FIONREAD, &unread) == 0 && unread == 0;
        },
        std::chrono::seconds(30)));
    BOOST_REQUIRE(run_.running());

    const pid_t pid = run_.pid();
    BOOST_TEST(read_file("/proc/" + std::to_string(pid) + "/comm") == "ostree-ima\n");
    BOOST_TEST(status_field(pid, "Uid").find(std::to_string(kNobody)) != std::string::npos,
               status_field(pid, "Uid"));
    BOOST_TEST(proc_owner(pid) == 0u,
               "the signer is dumpable: /proc/" << pid << " is owned by uid " << proc_owner(pid));
    BOOST_TEST(read_file("/proc/" + std::to_string(pid) + "/limits")
                   .find("Max core file size        0                    0") != std::string::npos);

    // The check can fail: the same uid without PR_SET_DUMPABLE owns its /proc.
    std::vector<std::string> sleeper = as_nobody;
    sleeper.push_back("sleep");
    sleeper.push_back("30");
    Background control(sleeper, d / "sleep-out", d / "sleep-err");
    BOOST_REQUIRE(wait_until(
        // Once sleep runs: setpriv itself is not dumpable between its
        // setresuid and the exec, which makes sleep dumpable again.
        [&] { return read_file("/proc/" + std::to_string(control.pid()) + "/comm") == "sleep\n"; },
        std::chrono::seconds(30)));
    BOOST_TEST(proc_owner(control.pid()) == kNobody);

    // The rest of the passphrase: the key opens, then the missing
    // repository ends the run, with no secret in its output.
    const std::string rest = kPassphrase.substr(first.size()) + "\n";
    BOOST_REQUIRE(::write(fd, rest.data(), rest.size()) == static_cast<ssize_t>(rest.size()));
    ::close(fd);
    const Result r{run_.wait_exit(), read_file(d / "out"), read_file(d / "err")};
    BOOST_TEST(r.exit_code == 1, r.err);
    BOOST_TEST(r.err.find("does not exist") != std::string::npos, r.err);
    no_secret_in(r, "non-dumpable signer");
}

namespace {
// One run on a pseudo-terminal of its own (its controlling terminal, stdin,
// stdout and stderr), as a person at a terminal runs it. The test keeps the
// terminal's slave side open too, to read its modes (stty's view) at any time.
class TerminalRun {
  public:
    TerminalRun(const std::vector<std::string> &argv, const std::map<std::string, std::string> &env)
    {
        master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        BOOST_REQUIRE(master_ >= 0);
        BOOST_REQUIRE(::grantpt(master_) == 0 && ::unlockpt(master_) == 0);
        const std::string slave_path = ::ptsname(master_);
        slave_ = ::open(slave_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
        BOOST_REQUIRE(slave_ >= 0);
        pid_ = fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            // A new session whose controlling terminal is the slave: /dev/tty.
            if (setsid() < 0 || ::ioctl(slave_, TIOCSCTTY, 0) < 0 || dup2(slave_, 0) < 0 ||
                dup2(slave_, 1) < 0 || dup2(slave_, 2) < 0)
                _exit(127);
            ::unsetenv("OSTREE_IMA_PIN");
            for (const auto &[name, value] : env)
                ::setenv(name.c_str(), value.c_str(), 1);
            exec_child(argv, false);
        }
    }
    TerminalRun(const TerminalRun &) = delete;
    TerminalRun &operator=(const TerminalRun &) = delete;
    ~TerminalRun()
    {
        if (!exited_) {
            ::kill(pid_, SIGKILL);
            (void)wait_exit();
        }
        ::close(slave_);
        ::close(master_);
    }

    // Reads what the run wrote for up to `limit`, until `done` holds.
    template <typename Predicate> bool read_until(Predicate done, std::chrono::seconds limit)
    {
        return wait_until(
            [&] {
                drain();
                return done();
            },
            limit);
    }
    // Whether the terminal echoes what is typed now.
    [[nodiscard]] bool echoes() const
    {
        termios modes{};
        BOOST_REQUIRE(tcgetattr(slave_, &modes) == 0);
        return (modes.c_lflag & ECHO) != 0;
    }
    void type(const std::string &keys) const
    {
        BOOST_REQUIRE(::write(master_, keys.data(), keys.size()) ==
                      static_cast<ssize_t>(keys.size()));
    }
    int wait_exit()
    {
        if (!exited_) {
            int status = 0;
            while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            exited_ = true;
            code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            drain();
        }
        return code_;
    }
    // Everything the terminal showed: the run's output and the echo of what was typed.
    [[nodiscard]] const std::string &screen() const { return screen_; }

  private:
    void drain()
    {
        pollfd p{master_, POLLIN, 0};
        char buffer[4096];
        while (::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0) {
            const ssize_t n = ::read(master_, buffer, sizeof buffer);
            if (n <= 0)
                return;
            screen_.append(buffer, static_cast<std::size_t>(n));
        }
    }
    int master_ = -1;
    int slave_ = -1;
    pid_t pid_ = -1;
    bool exited_ = false;
    int code_ = -1;
    std::string screen_;
};

// Runs `argv` on a terminal, waits for the prompt, types `secret` once the
// terminal no longer echoes (the prompt turns echo off after printing; what
// is typed before that is discarded, TCSAFLUSH), and checks what the screen
// showed and the terminal's modes after.
void prompted_run_hides_the_secret(const std::vector<std::string> &argv,
                                   const std::map<std::string, std::string> &env,
                                   const std::string &prompt, const std::string &secret)
{
    TerminalRun term(argv, env);
    BOOST_REQUIRE(term.echoes()); // a terminal as a shell leaves it
    BOOST_REQUIRE_MESSAGE(
        term.read_until([&] { return term.screen().find(prompt) != std::string::npos; },
                        std::chrono::seconds(30)),
        "no prompt '" << prompt << "': " << term.screen());
    // Echo off while the secret is typed (ten seconds' grace, then typed
    // anyway: a prompt that never turns echo off shows it on the screen).
    const bool echo_off = wait_until([&] { return !term.echoes(); }, std::chrono::seconds(10));
    BOOST_TEST(echo_off, "the terminal still echoes at the prompt");
    term.type(secret + "\r");
    const int code = term.wait_exit();
    BOOST_TEST_INFO("screen:\n" << term.screen());
    BOOST_TEST(code == 0);
    BOOST_TEST(term.screen().find(secret) == std::string::npos, "the typed secret was echoed");
    for (const auto &other : kSecrets)
        BOOST_TEST(term.screen().find(other) == std::string::npos);
    BOOST_TEST(term.echoes(), "echo was left off after the prompt");
}
} // namespace

// The prompt on the terminal (no --pin-file, no OSTREE_IMA_PIN): the
// passphrase of an encrypted key file and a token's PIN are typed at it;
// the run signs, the screen never shows what was typed, and the terminal
// echoes again afterwards.
BOOST_AUTO_TEST_CASE(terminal_prompt_hides_what_is_typed_and_restores_echo)
{
    World &w = world();
    prompted_run_hides_the_secret({binary(), "sign", "--repo=" + w.repo,
                                   "--key=" + w.file_key.key_pem, "--cert=" + w.file_key.cert_der,
                                   "--overwrite", "main", "prompted-passphrase"},
                                  {}, "Enter passphrase for ", kPassphrase);
    BOOST_TEST(ref_exists(w.repo, "prompted-passphrase"));
    prompted_run_hides_the_secret({binary(), "sign", "--repo=" + w.repo, "--key=" + kUri,
                                   "--cert=" + w.cert, "--overwrite", "main", "prompted-pin"},
                                  w.env, "Enter user PIN for token ", kPin);
    BOOST_TEST(ref_exists(w.repo, "prompted-pin"));
    no_secret_in_files({w.repo});
}
