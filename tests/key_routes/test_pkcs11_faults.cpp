// `ostree-ima sign` with a PKCS#11 token that fails: the fault module
// (tests/fault_module/fault_pkcs11.c) sits between ostree-ima and SoftHSM2
// and makes the Nth C_Sign fail or stall. A failed run must leave nothing
// behind (ref not moved, fsck passes) and say what failed;
// the next run must sign correctly. PIN handling is checked from the
// module's C_Login log: a refused PIN is never retried, one login per run.
#define BOOST_TEST_MODULE pkcs11_faults
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "prerequisites.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace test_support;
namespace fs = std::filesystem;

// Skipped (exit 77) without SoftHSM2; a failure under OSTREE_IMA_REQUIRE_ALL=1.
OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

// One SoftHSM2 token and one small source tree for the whole suite.
struct World : Workspace {
    SoftHsmToken token;
    std::string cert_der = token.cert("rsa2048"); // of the rsa2048 key on the token
    // Several distinct contents, so that a run makes several C_Sign calls.
    std::string tree = Workspace::tree(
        "tree", "mkdir -p usr/bin etc"
                "; for i in 1 2 3 4 5 6 7 8; do printf 'file %s\\n' $i > etc/f$i.conf; done"
                "; printf '#!/bin/sh\\necho hi\\n' > usr/bin/tool; chmod 0755 usr/bin/tool"
                "; head -c 100000 /dev/urandom > usr/bin/blob; ln -s tool usr/bin/link");
};

World &world()
{
    static World w;
    return w;
}

// The fault module loads SoftHSM2 itself (FAULT_PKCS11_REAL_MODULE default).
std::string key_uri(const std::string &label = "rsa2048")
{
    return SoftHsmToken::uri(label, false) + "?module-path=" + FAULT_PKCS11_MODULE;
}

struct Run {
    Result result;
    std::vector<std::string> log; // the fault module's lines
};

// Runs ostree-ima with `args` (the token's environment and these fault
// settings), reading the module's log afterwards.
Run run_with(const std::vector<std::string> &args, const std::string &log_dir,
             const std::map<std::string, std::string> &fault)
{
    static int serial = 0;
    const std::string log = log_dir + "/run-" + std::to_string(++serial) + ".log";
    std::map<std::string, std::string> env = world().token.env; // SOFTHSM2_CONF
    env.insert(fault.begin(), fault.end());
    env["FAULT_PKCS11_LOG"] = log;
    std::vector<std::string> argv = {binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    Run r;
    r.result = run(argv, env);
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);)
        r.log.push_back(line);
    return r;
}

// Signs `main` into `signed` through the fault module with these settings.
Run sign_with(const std::string &repo, const std::string &log_dir,
              const std::map<std::string, std::string> &fault,
              const std::string &pin_file = world().token.pin_file)
{
    static int serial = 0;
    const std::string log = log_dir + "/fault-" + std::to_string(++serial) + ".log";
    std::map<std::string, std::string> env = world().token.env; // SOFTHSM2_CONF
    env.insert(fault.begin(), fault.end());
    env["FAULT_PKCS11_LOG"] = log;
    Run r;
    r.result = run({binary(), "sign", "--repo=" + repo, "--key=" + key_uri(),
                    "--pin-file=" + pin_file, "--overwrite", "--jobs=2", "main", "signed"},
                   env);
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);)
        r.log.push_back(line);
    return r;
}

std::size_t count_prefix(const std::vector<std::string> &lines, const std::string &prefix)
{
    std::size_t n = 0;
    for (const auto &l : lines)
        n += l.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
}

std::string joined(const std::vector<std::string> &lines)
{
    std::ostringstream out;
    for (const auto &l : lines)
        out << l << "\n";
    return out.str();
}

// Every file under objects/. A failed bare or bare-user run adds none
// (libostree stages them); a failed archive run may leave complete,
// unreferenced objects its fast path already linked in, by design
// (docs/reliability.md: deleting them is unsafe next to a concurrent run).
std::size_t object_count(const std::string &repo)
{
    std::size_t n = 0;
    for (const auto &e : fs::recursive_directory_iterator(repo + "/objects"))
        n += e.is_regular_file() ? 1 : 0;
    return n;
}

// A good run: exit 0, one login, and evmctl accepts every signed file.
void require_good_run(const std::string &repo, const Run &r, const std::string &workdir)
{
    BOOST_TEST_INFO("stderr: " << r.result.err << "\nmodule log:\n" << joined(r.log));
    BOOST_REQUIRE_EQUAL(r.result.exit_code, 0);
    BOOST_TEST(count_prefix(r.log, "C_Login ") == 1u);
    BOOST_TEST(count_prefix(r.log, "C_Login type=1 rv=0x00000000") == 1u);
    BOOST_REQUIRE(ref_exists(repo, "signed"));
    const auto failures = evmctl_verify_checkout(repo, "signed", world().cert_der, workdir);
    BOOST_TEST(failures.empty(), "evmctl ima_verify failed: " << joined(failures));
    const auto files = read_commit_files(repo, "signed");
    std::size_t signed_files = 0;
    for (const auto &[path, facts] : files)
        signed_files += facts.regular && facts.ima ? 1 : 0;
    BOOST_TEST(signed_files == 10u);
    require_fsck(repo);
}

// A failed run: exit 1 with one line naming `cause`, nothing written.
void require_clean_failure(const std::string &repo, const Run &r, const std::string &main_before,
                           std::size_t objects_before, const std::string &cause)
{
    BOOST_TEST_INFO("stderr: " << r.result.err << "\nmodule log:\n" << joined(r.log));
    BOOST_TEST(r.result.exit_code == 1);
    BOOST_TEST(r.result.err.find(cause) != std::string::npos, "stderr names '" << cause << "'");
    BOOST_TEST(r.result.err.find("ostree-ima: error: ") == 0u);
    BOOST_TEST(r.result.err.find("internal error") == std::string::npos);
    BOOST_TEST(!ref_exists(repo, "signed"));
    BOOST_TEST(rev_parse(repo, "main") == main_before);
    // Content objects signed before the fault may stay (complete and
    // unreferenced: docs/reliability.md); nothing else is new, and every
    // object is valid.
    BOOST_TEST(object_count(repo) <= objects_before + count_prefix(r.log, "C_Sign "));
    require_fsck(repo);
}

struct FaultCase {
    const char *fault;
    const char *at;
    const char *mode;  // repository mode
    const char *rv;    // as the module logs it
    const char *cause; // what stderr must say
};

const FaultCase kFailingFaults[] = {
    {"CKR_DEVICE_REMOVED", "3", "archive", "0x00000032", "device removed"},
    {"CKR_DEVICE_ERROR", "1", "bare-user", "0x00000030", "device error"},
    {"CKR_FUNCTION_FAILED", "4", "archive", "0x00000006", "CKR_FUNCTION_FAILED"},
    // Without FAULT_PKCS11_COUNT the fresh session fails too: one retry only.
    {"CKR_SESSION_HANDLE_INVALID", "2", "bare-user", "0x000000b3", "CKR_SESSION_HANDLE_INVALID"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(module_forwards_without_a_fault)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    require_good_run(repo, sign_with(repo, dir.path(), {}), dir.path());
}

BOOST_AUTO_TEST_CASE(failing_token_leaves_nothing_and_next_run_signs)
{
    World &w = world();
    for (const auto &c : kFailingFaults) {
        BOOST_TEST_CONTEXT(c.fault << " at C_Sign #" << c.at << ", " << c.mode)
        {
            TempDir dir;
            const std::string repo = make_repo(dir.path(), c.mode, w.tree);
            const std::string main_before = rev_parse(repo, "main");
            const std::size_t objects_before = object_count(repo);

            const Run bad = sign_with(repo, dir.path(),
                                      {{"FAULT_PKCS11_FAULT", c.fault}, {"FAULT_PKCS11_AT", c.at}});
            // The fault was really injected (the run did not stop before).
            BOOST_TEST(count_prefix(bad.log, std::string("C_Sign n=") + c.at + " rv=" + c.rv) == 1u,
                       joined(bad.log));
            require_clean_failure(repo, bad, main_before, objects_before, c.cause);

            require_good_run(repo, sign_with(repo, dir.path(), {}), dir.path());
        }
    }
}

BOOST_AUTO_TEST_CASE(lost_session_is_retried_once_on_a_fresh_session)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const Run r = sign_with(repo, dir.path(),
                            {{"FAULT_PKCS11_FAULT", "CKR_SESSION_HANDLE_INVALID"},
                             {"FAULT_PKCS11_AT", "2"},
                             {"FAULT_PKCS11_COUNT", "1"}});
    BOOST_TEST(count_prefix(r.log, "C_Sign n=2 rv=0x000000b3") == 1u, joined(r.log));
    require_good_run(repo, r, dir.path());
}

BOOST_AUTO_TEST_CASE(slow_token_still_signs)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const Run r = sign_with(repo, dir.path(), {{"FAULT_PKCS11_FAULT", "sleep:300"}});
    require_good_run(repo, r, dir.path());
}

BOOST_AUTO_TEST_SUITE_END()

// A token that signs wrongly (FAULT_PKCS11_FAULT=corrupt: the real signature
// with its last byte changed, returned as success): every signature a key
// makes is verified against its public key before it is written, so the run
// fails naming the key and the path or digest, and nothing is written.
BOOST_AUTO_TEST_SUITE(wrong_signatures)

const std::map<std::string, std::string> kThirdSignatureWrong = {
    {"FAULT_PKCS11_FAULT", "corrupt"}, {"FAULT_PKCS11_AT", "3"}, {"FAULT_PKCS11_COUNT", "1"}};

// What every refusal says: the key (its URI, never the PIN) and the check.
void require_wrong_signature_named(const Run &r, const std::string &label)
{
    BOOST_TEST_INFO("stderr: " << r.result.err << "\nmodule log:\n" << joined(r.log));
    BOOST_TEST(r.result.exit_code == 1);
    BOOST_TEST(count_prefix(r.log, "C_Sign n=3 rv=0x00000000") == 1u); // the fault was injected
    // The error is the last line (sign-digests shows what it signs first).
    const std::size_t at = r.result.err.find("ostree-ima: error: ");
    BOOST_REQUIRE(at != std::string::npos);
    const std::string error = r.result.err.substr(at);
    BOOST_TEST(error.find("does not verify against the key's public key") != std::string::npos);
    BOOST_TEST(error.find("object=" + label) != std::string::npos, "names the key");
    BOOST_TEST(std::count(error.begin(), error.end(), '\n') == 1, "one line");
    BOOST_TEST(r.result.out.empty());
}

BOOST_AUTO_TEST_CASE(sign_refuses_a_wrong_signature_and_moves_no_ref)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const std::string main_before = rev_parse(repo, "main");
    const std::string cache = dir / "cache";
    const std::vector<std::string> args = {"sign",
                                           "--repo=" + repo,
                                           "--key=" + key_uri(),
                                           "--pin-file=" + w.token.pin_file,
                                           "--signature-cache=" + cache,
                                           "--json",
                                           "--jobs=1",
                                           "main",
                                           "signed"};
    const Run bad = run_with(args, dir.path(), kThirdSignatureWrong);
    require_wrong_signature_named(bad, "rsa2048");
    // The path of the object whose signature was wrong, and the object.
    BOOST_TEST(bad.result.err.rfind("ostree-ima: error: /", 0) == 0u, bad.result.err);
    BOOST_TEST(bad.result.err.find("(object ") != std::string::npos);
    BOOST_TEST(!ref_exists(repo, "signed"));
    BOOST_TEST(rev_parse(repo, "main") == main_before);
    require_fsck(repo);

    // Only verified signatures reached the cache: the next run reuses those
    // made before the wrong one (at least two), rejects none, and signs
    // correctly.
    const Run good = run_with(args, dir.path(), {});
    BOOST_TEST_INFO("stderr: " << good.result.err);
    BOOST_REQUIRE_EQUAL(good.result.exit_code, 0);
    const auto j = nlohmann::json::parse(good.result.out);
    BOOST_TEST(j["signatures"]["reused_from_cache"].get<int>() >= 2);
    BOOST_TEST(j["signatures"]["rejected"].get<int>() == 0);
    const auto failures = evmctl_verify_checkout(repo, "signed", w.cert_der, dir.path());
    BOOST_TEST(failures.empty(), "evmctl ima_verify failed: " << joined(failures));
}

BOOST_AUTO_TEST_CASE(sign_evm_refuses_a_wrong_evm_signature)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const KeyPair ima = make_key(dir.path(), "ima", "rsa:2048");
    // Only the EVM key goes through the fault module: its third signature is wrong.
    const Run bad = run_with({"sign", "--repo=" + repo, "--key=" + ima.key_pem,
                              "--cert=" + ima.cert_der, "--evm", "--evm-key=" + key_uri("ec-p256"),
                              "--evm-cert=" + w.token.cert("ec-p256"),
                              "--pin-file=" + w.token.pin_file, "--jobs=1", "main", "signed"},
                             dir.path(), kThirdSignatureWrong);
    require_wrong_signature_named(bad, "ec-p256");
    BOOST_TEST(bad.result.err.find("the EVM signature ") != std::string::npos, bad.result.err);
    BOOST_TEST(bad.result.err.find("(object ") != std::string::npos, bad.result.err);
    BOOST_TEST(!ref_exists(repo, "signed"));
    require_fsck(repo);
}

BOOST_AUTO_TEST_CASE(sign_digests_refuses_a_wrong_signature_and_writes_nothing)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const std::string manifest = dir / "digests.json";
    const std::string signatures = dir / "signatures.json";
    sh_ok(quote(binary()) + " digests --repo=" + quote(repo) + " main -o " + quote(manifest));
    const Run bad =
        run_with({"sign-digests", "--yes", "--key=" + key_uri(), "--pin-file=" + w.token.pin_file,
                  "--jobs=1", manifest, "-o", signatures},
                 dir.path(), kThirdSignatureWrong);
    require_wrong_signature_named(bad, "rsa2048");
    BOOST_TEST(bad.result.err.find(" digest ") != std::string::npos, bad.result.err);
    BOOST_TEST(!fs::exists(signatures));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pin)

BOOST_AUTO_TEST_CASE(refused_pin_is_tried_once_then_the_right_one_works)
{
    World &w = world();
    TempDir dir;
    const std::string repo = make_repo(dir.path(), "archive", w.tree);
    const std::string wrong_pin = dir / "wrong-pin";
    sh_ok("umask 077; printf '9999\\n' > " + quote(wrong_pin));
    const std::string main_before = rev_parse(repo, "main");
    const std::size_t objects_before = object_count(repo);

    const Run bad = sign_with(repo, dir.path(), {}, wrong_pin);
    BOOST_TEST_INFO("module log:\n" << joined(bad.log));
    BOOST_TEST(count_prefix(bad.log, "C_Login ") == 1u);
    BOOST_TEST(count_prefix(bad.log, "C_Login type=1 rv=0x000000a0") == 1u); // CKR_PIN_INCORRECT
    BOOST_TEST(count_prefix(bad.log, "C_Sign ") == 0u);
    BOOST_TEST(bad.result.err.find("9999") == std::string::npos, "the PIN is never printed");
    require_clean_failure(repo, bad, main_before, objects_before, "PIN");

    require_good_run(repo, sign_with(repo, dir.path(), {}), dir.path());
}

BOOST_AUTO_TEST_SUITE_END()
