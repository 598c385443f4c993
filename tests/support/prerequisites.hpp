// What a suite needs from the machine, checked once before any of its tests.
//
// A suite that lacks something is not run: it exits 77, which CTest reports
// as skipped (SKIP_RETURN_CODE, tests/CMakeLists.txt), never as passed with
// nothing checked. Where everything must be installed (scripts/test.sh, so
// CI, sets OSTREE_IMA_REQUIRE_ALL=1) a missing prerequisite fails the suite
// instead. What every integration suite needs anyway (ostree, openssl,
// evmctl) is not listed: without it the suites fail.
#pragma once

#include <string>
#include <vector>

namespace test_support {

inline constexpr int kSkipExitCode = 77;

struct Needs {
    std::vector<std::string> tools; // found on PATH
    std::vector<std::string> files; // that must exist (PKCS#11 modules, engines)
};

// A SoftHSM2 token made by softhsm-fixtures/make-token.sh.
Needs softhsm_needs();
// The software TPM of tests/tpm/tpm-fixture.sh.
Needs tpm_needs();

// Returns when everything in `needs` is there. Otherwise prints what is
// missing and exits: 77 (skipped), or 1 under OSTREE_IMA_REQUIRE_ALL=1.
void require_or_skip(const Needs &needs);

} // namespace test_support

// The global fixture of a suite: OSTREE_IMA_SUITE_NEEDS(test_support::softhsm_needs());
#define OSTREE_IMA_SUITE_NEEDS(needs)                                                              \
    namespace {                                                                                    \
    struct SuitePrerequisites {                                                                    \
        SuitePrerequisites() { ::test_support::require_or_skip(needs); }                           \
    };                                                                                             \
    }                                                                                              \
    BOOST_TEST_GLOBAL_FIXTURE(SuitePrerequisites)
