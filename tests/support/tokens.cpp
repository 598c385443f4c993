#include "tokens.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>

namespace test_support {

std::map<std::string, std::string> read_env_file(const std::string &path)
{
    std::map<std::string, std::string> env;
    std::ifstream in(path);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("export ", 0) == 0)
            line = line.substr(7);
        const auto eq = line.find('=');
        if (eq == std::string::npos || line[0] == '#')
            continue;
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\''))
            value = value.substr(1, value.size() - 2);
        env[line.substr(0, eq)] = value;
    }
    return env;
}

SoftHsmToken::SoftHsmToken()
{
    sh_ok(quote(source_dir() + "/softhsm-fixtures/make-token.sh") + " --force " +
          quote(dir / "hsm") + " >/dev/null 2>&1 || " +
          quote(source_dir() + "/softhsm-fixtures/make-token.sh") + " --force " +
          quote(dir / "hsm"));
    env = read_env_file(dir / "hsm/env");
    pin_file = dir / "hsm/pin";
}

std::string SoftHsmToken::uri(const std::string &label, bool with_module)
{
    std::string u = "pkcs11:token=ostree-ima-test;object=" + label + ";type=private";
    if (with_module)
        u += std::string("?module-path=") + kModule;
    return u;
}

SoftTpm::SoftTpm()
{
    const std::string script = source_dir() + "/tests/tpm/tpm-fixture.sh";
    // One retry: under heavy load a provisioning step of swtpm/abrmd can time
    // out; a second failure is a real one.
    Result r = sh(quote(script) + " start " + quote(dir / "tpm") + " 2>&1");
    if (r.exit_code != 0) {
        BOOST_TEST_MESSAGE("TPM fixture failed once, retrying: " << r.out);
        (void)sh(quote(script) + " stop " + quote(dir / "tpm") + " >/dev/null 2>&1; rm -rf " +
                 quote(dir / "tpm"));
        r = sh(quote(script) + " start " + quote(dir / "tpm") + " 2>&1");
    }
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "TPM fixture did not start: " << r.out);
    env = read_env_file(dir / "tpm/env");
    pin_file = dir / "tpm/pin";
    std::ifstream h(dir / "tpm/tpm-handle");
    std::getline(h, handle);
}

SoftTpm::~SoftTpm()
{
    (void)sh(quote(source_dir() + "/tests/tpm/tpm-fixture.sh") + " stop " + quote(dir / "tpm") +
             " >/dev/null 2>&1");
}

} // namespace test_support
