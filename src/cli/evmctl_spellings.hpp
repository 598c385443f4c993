// evmctl's options that mean something else here, answered with the option
// that does the job (`-k`, `-a` and `--hashalgo` are ours too and need no
// answer). A user who types `--pass=SECRET` out of habit learns where the
// passphrase goes instead; the value itself is never repeated.
#pragma once

#include <optional>
#include <string>

namespace ostree_ima::cli {

// The message for the first such option on argv, before "--"; none when
// there is none.
[[nodiscard]] std::optional<std::string> evmctl_spelling(int argc, const char *const *argv);

} // namespace ostree_ima::cli
