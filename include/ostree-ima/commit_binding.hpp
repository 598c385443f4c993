// CommitBinding: a rewritten commit's ostree.ref-binding and
// ostree.collection-binding, before and after (reported by sign and strip).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ostree_ima {

struct CommitBinding {
    std::optional<std::vector<std::string>> source_refs; // none: the commit has no ref binding
    std::optional<std::vector<std::string>> refs;        // the new commit's
    std::optional<std::string> source_collection;
    std::optional<std::string> collection;
    [[nodiscard]] bool changed() const
    {
        return refs != source_refs || collection != source_collection;
    }
};

} // namespace ostree_ima
