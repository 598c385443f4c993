#include "cli/binding_report.hpp"

#include "util/quoted_input.hpp"

namespace ostree_ima::cli {

namespace {
template <typename T> nlohmann::ordered_json optional_json(const std::optional<T> &value)
{
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

std::string quoted(const std::optional<std::string> &s)
{
    return s ? quoted_input(*s) : "none";
}

// "'a', 'b'"; "none" when there is no binding.
std::string describe_refs(const std::optional<std::vector<std::string>> &refs)
{
    if (!refs || refs->empty())
        return "none";
    std::string out;
    for (const auto &r : *refs)
        out += (out.empty() ? "" : ", ") + quoted_input(r);
    return out;
}
} // namespace

std::string binding_text(const CommitBinding &binding, const std::string &target_ref,
                         const std::string &new_commit)
{
    std::string out;
    if (binding.refs != binding.source_refs)
        out += "ostree-ima: ref binding " + describe_refs(binding.source_refs) + " -> " +
               describe_refs(binding.refs) + ", so clients can pull the commit as " +
               printable_input(target_ref) + "\n";
    if (binding.collection != binding.source_collection)
        out += "ostree-ima: collection binding " + quoted(binding.source_collection) + " -> " +
               quoted(binding.collection) + " (this repository's collection id)\n";
    if (target_ref.empty() && binding.refs && !binding.refs->empty())
        out += "ostree-ima: note: commit " + new_commit + " is bound to " +
               describe_refs(binding.refs) +
               " (ostree.ref-binding): clients pull it only under that ref; to publish it under "
               "another ref, give that ref as TARGET_REF so the binding names it\n";
    return out;
}

void add_binding_json(nlohmann::ordered_json &report, const CommitBinding &binding)
{
    report["ref_binding"] = {{"source", optional_json(binding.source_refs)},
                             {"commit", optional_json(binding.refs)}};
    report["collection_binding"] = {{"source", optional_json(binding.source_collection)},
                                    {"commit", optional_json(binding.collection)}};
}

} // namespace ostree_ima::cli
