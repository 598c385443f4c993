// EvmArguments: sign's EVM options (--evm, --evm-key, --evm-cert,
// --evm-ignore-selinux) and the EVM key they open.
#pragma once

#include "cli/key_arguments.hpp"
#include "ostree-ima/commit_signer.hpp"

#include <CLI/CLI.hpp>
#include <string>

namespace ostree_ima::cli {

struct EvmArguments {
    bool on = false;
    std::string key;
    std::string cert;
    bool ignore_selinux = false;

    void add_options(CLI::App &cmd);

    // The EVM key: --evm-key (with the signing key's other options: PIN
    // file, engine, providers), required with --evm; the key id from
    // --evm-cert, else as for the signing key. `opened` holds what the
    // request points to. Sets request's EVM fields; nothing without --evm.
    void open(const KeyArguments &signing, unsigned jobs, bool quiet, KeyArguments::Opened &opened,
              SignRequest &request) const;
    // The usage errors, before any key is opened (a PIN asked for nothing).
    void check() const;
};

} // namespace ostree_ima::cli
