// The progress display (issue #24): every long job shows, on a terminal,
// a line with done/total, the rate and the time left (and for the jobs that
// sign, the signatures made and reused), then a last line with the time
// taken; nothing when stderr is not a terminal, nor with -q or --json.
// Each command runs under a pseudo-terminal of `script`'s (stdin, stdout
// and stderr a terminal, as a person runs it), the jobs that sign with a
// SoftHSM2 token slowed by the fault module (a TPM's or a remote HSM's
// pace). The display draws its first line once the first unit is done, so
// a line is there however fast the machine; no figure is asserted.
#define BOOST_TEST_MODULE progress
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "prerequisites.hpp"
#include "tokens.hpp"
#include "workspace.hpp"

#include <regex>

using namespace test_support;

OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());

namespace {

struct World : Workspace {
    SoftHsmToken token;
    std::string cert = token.cert("rsa2048"); // of the token's rsa2048 key
    // Twelve contents of several sizes, a symlink, /usr and /etc.
    std::string repo = Workspace::repo(
        "archive", tree("tree", "mkdir -p usr/bin usr/lib etc"
                                "; for i in 1 2 3 4 5 6 7 8 9 10; do head -c $((i * 3000)) "
                                "/dev/urandom > usr/lib/f$i; done; printf 'a=1\\n' > etc/a.conf"
                                "; printf '#!/bin/sh\\necho hi\\n' > usr/bin/tool"
                                "; chmod 0755 usr/bin/tool; ln -s tool usr/bin/link"));
    // The token's key through the fault module, which env() slows down.
    [[nodiscard]] static std::string key()
    {
        return SoftHsmToken::uri("rsa2048", false) + "?module-path=" + FAULT_PKCS11_MODULE;
    }
    [[nodiscard]] std::vector<std::string> key_args() const
    {
        return {"--key=" + key(), "--pin-file=" + token.pin_file, "--cert=" + cert};
    }
    [[nodiscard]] std::map<std::string, std::string> env(int latency_ms) const
    {
        std::map<std::string, std::string> e = token.env;
        e["FAULT_PKCS11_LATENCY_MS"] = std::to_string(latency_ms);
        return e;
    }
};

World &world()
{
    static World w;
    return w;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string> &more)
{
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

std::string command_line(const std::vector<std::string> &args)
{
    std::string line = quote(binary());
    for (const auto &a : args)
        line += " " + quote(a);
    return line;
}

// What a terminal showed of `ostree-ima ARGS` (stdin, stdout, stderr a
// pseudo-terminal of script's); the run must succeed.
std::string on_terminal(const std::vector<std::string> &args, int latency_ms = 0)
{
    const Result r = sh("script -q -e -c " + quote(command_line(args)) + " /dev/null </dev/null",
                        world().env(latency_ms));
    BOOST_TEST_INFO("screen:\n" << r.out << r.err);
    BOOST_REQUIRE_EQUAL(r.exit_code, 0);
    return r.out;
}

// The lines drawn in place: between "\r\033[K" and the next one.
std::vector<std::string> progress_lines(const std::string &screen)
{
    std::vector<std::string> lines;
    const std::string mark = "\r\033[K";
    for (std::size_t at = screen.find(mark); at != std::string::npos;) {
        const std::size_t from = at + mark.size();
        const std::size_t next = screen.find_first_of("\r\n", from);
        lines.push_back(screen.substr(from, next == std::string::npos ? next : next - from));
        at = screen.find(mark, from);
    }
    return lines;
}

// A line with done/total, the rate and a time left that is a figure (the
// first is drawn once a unit is done), then the last line with the time
// taken: `step` names what is done, `unit` what is counted.
void shows_progress(const std::string &screen, const std::string &step, const std::string &unit,
                    bool signs)
{
    BOOST_TEST_INFO("screen:\n" << screen);
    const std::regex line("^(\\[\\d/2\\] )?" + step + ": [0-9,]+/[0-9,]+ " + unit + ", .*/s" +
                          (signs ? "; [0-9,]+ signatures? made, [0-9,]+ reused" : "") +
                          "; [0-9][^;]* left$");
    bool drawn = false;
    for (const std::string &l : progress_lines(screen))
        drawn = drawn || std::regex_match(l, line);
    BOOST_TEST(drawn, "no progress line of " << step);
    const std::regex last("ostree-ima: (\\[\\d/2\\] )?" + step + ": [0-9,]+ " + unit +
                          "[^\\n]*; done in [0-9][^\\r\\n]*\\r?\\n");
    BOOST_TEST(std::regex_search(screen, last), "no last line of " << step);
}

void shows_nothing(const std::string &output)
{
    BOOST_TEST(output.find("\r\033[K") == std::string::npos, output); // a line drawn in place
    BOOST_TEST(output.find(" left") == std::string::npos, output);
    BOOST_TEST(output.find("done in") == std::string::npos, output);
}

// The same run with stderr a pipe, and on a terminal with -q: no progress.
void quiet_off_a_terminal_and_with_q(const std::vector<std::string> &args)
{
    const Result piped = run(with({binary()}, args), world().env(0));
    BOOST_TEST_INFO("stderr: " << piped.err);
    BOOST_REQUIRE_EQUAL(piped.exit_code, 0);
    shows_nothing(piped.err);
    shows_nothing(on_terminal(with(args, {"-q"})));
}

const std::string kObjects = "objects";
} // namespace

BOOST_AUTO_TEST_CASE(sign_and_ima_sign_show_the_keys_progress)
{
    World &w = world();
    const std::vector<std::string> sign =
        with({"sign", "--repo=" + w.repo, "--jobs=1"}, w.key_args());
    shows_progress(on_terminal(with(sign, {"main", "signed"}), 50), "signing", kObjects, true);
    // --reuse: the signatures of `signed` are taken, none made.
    const std::string reused =
        on_terminal(with(sign, {"--overwrite", "--reuse=signed", "main", "resigned"}));
    shows_progress(reused, "signing", kObjects, true);
    BOOST_TEST(reused.find("; 0 signatures made, 12 reused; done in") != std::string::npos, reused);
    quiet_off_a_terminal_and_with_q(with(sign, {"--overwrite", "main", "quiet"}));
    shows_nothing(on_terminal(with(sign, {"--overwrite", "--json", "main", "json"})));

    const std::vector<std::string> ima_sign = {"ima-sign",         "--repo=" + w.repo,
                                               "--overwrite",      "--pin-file=" + w.token.pin_file,
                                               "--cert=" + w.cert, "main",
                                               "ima-signed",       "sha256",
                                               World::key()};
    shows_progress(on_terminal(ima_sign, 50), "signing", kObjects, true);
    quiet_off_a_terminal_and_with_q(ima_sign);
}

BOOST_AUTO_TEST_CASE(strip_verify_and_verify_deployment_show_progress)
{
    World &w = world();
    BOOST_REQUIRE_EQUAL(
        run(with({binary(), "sign", "--repo=" + w.repo}, with(w.key_args(), {"main", "to-check"})),
            w.env(0))
            .exit_code,
        0);
    const std::vector<std::string> strip = {"strip", "--repo=" + w.repo, "to-check", "stripped"};
    shows_progress(on_terminal(strip), "stripping", kObjects, false);
    quiet_off_a_terminal_and_with_q(strip);
    shows_nothing(on_terminal({"strip", "--json", "--repo=" + w.repo, "to-check", "stripped"}));

    const std::vector<std::string> verify = {"verify", "--repo=" + w.repo, "--cert=" + w.cert,
                                             "to-check"};
    shows_progress(on_terminal(verify), "verifying", kObjects, false);
    quiet_off_a_terminal_and_with_q(verify);
    shows_nothing(on_terminal(with(verify, {"--json"})));

    const std::string checkout = w.dir / "deployed";
    sh_ok("ostree --repo=" + quote(w.repo) + " checkout -U to-check " + quote(checkout));
    const std::vector<std::string> deployment = {"verify", "--cert=" + w.cert,
                                                 "--deployment=" + checkout};
    shows_progress(on_terminal(deployment), "verifying", "files", false);
    quiet_off_a_terminal_and_with_q(deployment);
}

// The signing room: digests reads the commit, sign-digests drives the key
// (its time left follows the key), apply reads the commit twice (two steps).
BOOST_AUTO_TEST_CASE(the_signing_room_shows_progress)
{
    World &w = world();
    const std::string manifest = w.dir / "digests.json";
    const std::vector<std::string> digests = {"digests", "--repo=" + w.repo, "-o", manifest,
                                              "main"};
    shows_progress(on_terminal(digests), "computing digests", kObjects, false);
    quiet_off_a_terminal_and_with_q(digests);
    shows_nothing(on_terminal(with(digests, {"--json"})));

    const std::string signatures = w.dir / "signatures.json";
    const std::vector<std::string> sign_digests =
        with({"sign-digests", "--yes", "-o", signatures, manifest}, w.key_args());
    shows_progress(on_terminal(sign_digests, 50), "signing digests", "digests", true);
    quiet_off_a_terminal_and_with_q(sign_digests);
    shows_nothing(on_terminal(with(sign_digests, {"--json"}), 50));

    const std::vector<std::string> apply = {
        "apply", "--repo=" + w.repo, "--cert=" + w.cert, "--signatures=" + signatures,
        "main",  "applied"};
    const std::string screen = on_terminal(apply);
    shows_progress(screen, "computing digests", kObjects, false);
    shows_progress(screen, "writing signatures", kObjects, true);
    quiet_off_a_terminal_and_with_q(apply);
    shows_nothing(on_terminal(with(apply, {"--json"})));

    // keylime-policy reads every object as digests does.
    const std::vector<std::string> policy = {"keylime-policy", "--repo=" + w.repo, "-o",
                                             w.dir / "keylime.json", "main"};
    shows_progress(on_terminal(policy), "measuring", kObjects, false);
    quiet_off_a_terminal_and_with_q(policy);
}
