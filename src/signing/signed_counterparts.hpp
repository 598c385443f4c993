// SignedCounterparts: for a --reuse commit that carries a SigningRecord made
// under the same options, the signed object each content object of its
// recorded source became. Found by walking the source commit's tree and the
// signed commit's side by side, pairing the files met at the same path:
// dirtrees only, no content object is opened, and a directory whose dirtree
// is the same on both sides (nothing in it was signed) is not entered.
// Nothing here is trusted yet: a pair is taken only once its signed object
// passes checked_counterpart (commit_signer.cpp), and a record can only be
// wrong about which of the key's earlier files a source file became
// (docs/threat-model.md).
#pragma once

#include "repo/raw_checksum.hpp"
#include "repo/repo.hpp"
#include "signing/signing_record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ostree_ima {

class SignedCounterparts {
  public:
    // The index of the pair whose source object is `source`, or nullopt.
    [[nodiscard]] std::optional<std::size_t> find(const RawChecksum &source) const;
    // The signed object of pair `index` (64 hex digits).
    [[nodiscard]] std::string signed_object(std::size_t index) const;
    [[nodiscard]] std::size_t size() const { return signed_.size(); }
    [[nodiscard]] const std::string &rev() const { return rev_; }
    [[nodiscard]] const std::string &source_commit() const { return source_commit_; }

  private:
    class Walk;

    std::string rev_;
    std::string source_commit_;
    std::unordered_map<RawChecksum, std::uint32_t, RawChecksumHash> by_source_;
    std::vector<RawChecksum> signed_;
    friend struct LoadedCounterparts load_counterparts(const Repo &, const std::string &,
                                                       const SigningRecord &);
};

// The counterparts of `signed_commit` (a checksum, which messages name: so
// do KnownSignatures' own) under the options of `now`, or why they cannot be used: `not_used` is
// empty when the commit has no record at all (signed before records, or by
// another tool), else one line for the report.
struct LoadedCounterparts {
    std::optional<SignedCounterparts> counterparts;
    std::string not_used;
};
LoadedCounterparts load_counterparts(const Repo &repo, const std::string &signed_commit,
                                     const SigningRecord &now);

} // namespace ostree_ima
