// The report of a job that writes a signed commit (sign, ima-sign, apply):
// its JSON fields and its summary line, the same for every command.
#pragma once

#include "ostree-ima/commit_signer.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ostree_ima::cli {

// The report `format` (json_report.hpp) with every SignReport field
// (docs/json-output.md lists them); commands add theirs.
nlohmann::ordered_json sign_report_json(const std::string &format, const SignReport &r);

// "signed N files (U unique objects), kept K existing signatures (M by other
// keys: ID n), replaced R invalid signatures (...)".
std::string sign_counts_text(const SignReport &r);

// The warning about signed files under /usr/etc (SignReport says why); ""
// when there are none.
std::string usr_etc_warning_text(const SignReport &r);

// One "ostree-ima: warning: ..." line on stderr per part of a --reuse commit
// that could not be read and was skipped; nothing with `quiet`.
void print_reuse_warnings(const std::vector<std::string> &skipped, bool quiet);

// Only what ima-sign's one-line stdout does not say and a release engineer
// must see: signatures by other keys kept, invalid ones replaced; "" if none.
std::string sign_warnings_text(const SignReport &r);

// The EVM lines for stderr, each ending in a newline, "" when nothing
// touched security.evm: the counts, then one warning line per deployment
// risk (docs/evm.md).
std::string evm_text(const SignReport &r);

} // namespace ostree_ima::cli
