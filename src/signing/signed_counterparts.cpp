#include "signing/signed_counterparts.hpp"

#include "ostree-ima/error.hpp"
#include "repo/commit_walker.hpp"

#include <cstring>
#include <ostree.h>

namespace ostree_ima {

// The side-by-side walk: both dirtrees of one path, their entries merged by
// name (a dirtree lists them sorted).
class SignedCounterparts::Walk {
  public:
    Walk(OstreeRepo *repo, SignedCounterparts &out) : walker_(repo), out_(out) {}

    void dir(const std::string &source, const std::string &signed_tree, std::string &path)
    {
        if (source == signed_tree || !visited_.insert(source + signed_tree).second)
            return;
        const GVariantPtr a = walker_.load_dirtree(source, path);
        const GVariantPtr b = walker_.load_dirtree(signed_tree, path);
        const std::size_t base = path.size();
        {
            const GVariantPtr fa(g_variant_get_child_value(a.get(), 0));
            const GVariantPtr fb(g_variant_get_child_value(b.get(), 0));
            merge(fa.get(), fb.get(), [&](GVariant *ea, GVariant *eb, const char *) {
                const GVariantPtr ca(g_variant_get_child_value(ea, 1));
                const GVariantPtr cb(g_variant_get_child_value(eb, 1));
                const RawChecksum from = raw_checksum_from_variant(ca.get());
                const RawChecksum to = raw_checksum_from_variant(cb.get());
                if (from == to)
                    return; // unchanged: nothing to take
                const auto index = static_cast<std::uint32_t>(out_.signed_.size());
                if (out_.by_source_.try_emplace(from, index).second)
                    out_.signed_.push_back(to);
            });
        }
        const GVariantPtr da(g_variant_get_child_value(a.get(), 1));
        const GVariantPtr db(g_variant_get_child_value(b.get(), 1));
        merge(da.get(), db.get(), [&](GVariant *ea, GVariant *eb, const char *name) {
            const GVariantPtr ta(g_variant_get_child_value(ea, 1));
            const GVariantPtr tb(g_variant_get_child_value(eb, 1));
            path.append("/").append(name);
            dir(checksum_from_variant(ta.get()), checksum_from_variant(tb.get()), path);
            path.resize(base);
        });
    }

  private:
    // Calls `same(entry_a, entry_b, name)` for each name both arrays hold.
    template <class Same> static void merge(GVariant *a, GVariant *b, Same same)
    {
        const gsize na = g_variant_n_children(a);
        const gsize nb = g_variant_n_children(b);
        gsize i = 0;
        gsize j = 0;
        while (i < na && j < nb) {
            const GVariantPtr ea(g_variant_get_child_value(a, i));
            const GVariantPtr eb(g_variant_get_child_value(b, j));
            const char *name_a = nullptr;
            const char *name_b = nullptr;
            g_variant_get_child(ea.get(), 0, "&s", &name_a);
            g_variant_get_child(eb.get(), 0, "&s", &name_b);
            const int order = std::strcmp(name_a, name_b);
            if (order == 0) {
                same(ea.get(), eb.get(), name_a);
                ++i;
                ++j;
            } else if (order < 0) {
                ++i;
            } else {
                ++j;
            }
        }
    }

    CommitWalker walker_;
    SignedCounterparts &out_;
    std::unordered_set<std::string> visited_;
};

LoadedCounterparts load_counterparts(const Repo &repo, const std::string &signed_commit,
                                     const SigningRecord &now)
{
    LoadedCounterparts out;
    const std::string what = "--reuse commit " + signed_commit;
    const CommitWalker walker(repo.get());
    GVariantPtr signed_object;
    try {
        signed_object = walker.load_commit(signed_commit);
    } catch (const Error &) {
        return out; // KnownSignatures names what cannot be read
    }
    const SigningRecordRead read = read_signing_record(signed_object.get());
    if (read.malformed) {
        out.not_used = what + ": its " + kSigningRecordKey +
                       " metadata is not a record this version writes; its files are read";
        return out;
    }
    if (!read.record)
        return out;
    const SigningRecord &record = *read.record;
    if (const auto differs = record.differs_from(now)) {
        out.not_used = what + " was signed with other options than this run, " + *differs +
                       ": its files are read";
        return out;
    }
    SignedCounterparts counterparts;
    counterparts.rev_ = signed_commit;
    counterparts.source_commit_ = record.source_commit;
    try {
        const GVariantPtr source = walker.load_commit(record.source_commit);
        std::string path;
        SignedCounterparts::Walk(repo.get(), counterparts)
            .dir(CommitWalker::root_tree(source.get()),
                 CommitWalker::root_tree(signed_object.get()), path);
    } catch (const Error &e) {
        out.not_used = what + ": its record of the source commit it was signed from (" +
                       record.source_commit + ") cannot be followed: " + e.what() +
                       "; its files are read (keep the source commit until the next signing, "
                       "docs/signing-room.md)";
        return out;
    }
    out.counterparts = std::move(counterparts);
    return out;
}

std::optional<std::size_t> SignedCounterparts::find(const RawChecksum &source) const
{
    const auto it = by_source_.find(source);
    if (it == by_source_.end())
        return std::nullopt;
    return it->second;
}

std::string SignedCounterparts::signed_object(std::size_t index) const
{
    return hex_of(signed_.at(index));
}

} // namespace ostree_ima
