// Running the real tools (ostree, evmctl, openssl, ostree-ima) from tests.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace test_support {

struct Result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs argv (PATH searched) with extra environment variables, capturing output.
Result run(const std::vector<std::string> &argv, const std::map<std::string, std::string> &env = {},
           const std::string &stdin_data = "");

// Runs a shell command line; for tests that need redirections or pipes.
Result sh(const std::string &command, const std::map<std::string, std::string> &env = {});

// Like sh() but fails the test (BOOST_REQUIRE) when the exit code is not 0.
std::string sh_ok(const std::string &command, const std::map<std::string, std::string> &env = {});

// Single-quotes for a shell command line.
std::string quote(const std::string &s);

} // namespace test_support
