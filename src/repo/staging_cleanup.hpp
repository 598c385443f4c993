// Stale OSTree staging directories (repo/tmp/staging-<boot id>-XXXXXX).
//
// libostree keeps a transaction's staging directory when the transaction is
// aborted or its process dies, to reuse it for the next one; after several
// killed runs only one is reused, and the others stay until the next boot.
// This removes every one that no transaction holds.
#pragma once

#include <ostree.h>

namespace ostree_ima {

// Best effort, never throws: each directory is removed only while holding
// its "<name>-lock" file exclusively (libostree's own protocol: a transaction
// holds that lock while it uses the directory, and re-checks that the
// directory still exists after taking it).
void remove_unused_staging_dirs(OstreeRepo *repo) noexcept;

} // namespace ostree_ima
