// No core dumps: a PIN, a passphrase or a decrypted private key may sit in
// this process's memory, and a core file would write it to disk.
#pragma once

namespace ostree_ima::cli {

// RLIMIT_CORE 0 (soft and hard) and PR_SET_DUMPABLE 0 (also covers a
// core_pattern pipe such as systemd-coredump, and same-user ptrace/proc reads).
// Best effort: failures are ignored, as the process can still do its job.
void disable_core_dumps();

} // namespace ostree_ima::cli
