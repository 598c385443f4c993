// plan_commit_binding: how a rewritten commit's ostree.ref-binding and
// ostree.collection-binding follow the ref it is written for.
//
// `ostree commit -b REF` binds the commit to REF, and every client refuses to
// pull a commit under a ref its binding does not name ("Commit has no
// requested ref ... in ref binding metadata"). A signed (or stripped) copy
// published under another ref must therefore be bound to that ref:
//   - no target ref: nothing changes (the caller tells the user which refs
//     the commit is bound to);
//   - no ref binding, or one that already names the target ref (signing in
//     place): kept;
//   - otherwise: replaced by [target ref].
// The collection binding names the repository that publishes the commit:
// kept, unless the repository has a collection id (core.collection-id) and
// the binding names another one (a commit pulled from elsewhere, published
// here), then it becomes this repository's.
#pragma once

#include "ostree-ima/commit_binding.hpp"
#include "util/glib_ptr.hpp"

#include <optional>
#include <ostree.h>
#include <string>
#include <vector>

namespace ostree_ima {

// What the commit's bindings become when it is written for target_ref
// (empty: no ref).
CommitBinding plan_commit_binding(OstreeRepo *repo, GVariant *commit,
                                  const std::string &target_ref);

// The commit's metadata (a{sv}) with the bindings of `binding`; every other
// entry kept as it is, in its order.
GVariantPtr rebind_metadata(GVariant *metadata, const CommitBinding &binding);

} // namespace ostree_ima
