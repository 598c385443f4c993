// KeyArguments: the key options every signing command shares, and turning
// them into a KeyBackend plus the key id to write.
#pragma once

#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/key_id_choice.hpp"
#include "ostree-ima/key_options.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

namespace ostree_ima::cli {

struct KeyArguments {
    KeyOptions key;
    std::string cert;
    std::string keyid;

    // --key is added by the caller (positional for ima-sign).
    void add_options(CLI::App &cmd);

    struct Opened {
        std::unique_ptr<KeyBackend> backend;
        KeyIdChoice key_id;
    };
    // Opens the key, chooses the key id, prints the key-id note on stderr
    // unless `quiet`.
    [[nodiscard]] Opened open(unsigned jobs, bool quiet) const;
};

} // namespace ostree_ima::cli
