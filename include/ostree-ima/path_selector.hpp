// PathSelector: which files of a commit a command acts on (--include,
// --exclude, --executables-only).
//
// Globs match the whole path of a file in the commit ("/usr/bin/ls"):
//   *    any run of characters except '/'
//   **   any run of characters, '/' included; "/**/" also matches "/" (zero
//        directories), so "/usr/lib/**/*.so*" selects /usr/lib/libc.so.6 too
//   ?    one character except '/'
//   \c   the character c itself
// Everything else matches itself. A glob starts with '/' or "**".
// Include defaults to everything; a path matching any exclude glob is never
// selected (exclude wins). --executables-only further keeps only files with
// an x bit in their mode, which is a property of the content object.
#pragma once

#include "ostree-ima/export.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

// One compiled glob.
class OSTREE_IMA_EXPORT GlobPattern {
  public:
    // Throws UsageError naming `option` when the glob is empty or relative.
    GlobPattern(std::string text, const std::string &option);

    [[nodiscard]] bool matches(std::string_view path) const;
    [[nodiscard]] const std::string &text() const { return text_; }

  private:
    enum class Kind : std::uint8_t { Literal, AnyChar, Star, DoubleStar, DirStars };
    struct Token {
        Kind kind;
        char c; // for Literal
    };
    std::string text_;
    std::vector<Token> tokens_;
};

class OSTREE_IMA_EXPORT PathSelector {
  public:
    // Selects every file.
    PathSelector() = default;
    // Throws UsageError when a glob is not valid.
    PathSelector(const std::vector<std::string> &include, const std::vector<std::string> &exclude,
                 bool executables_only);

    // Whether the globs select this path (not looking at the mode).
    [[nodiscard]] bool selects_path(std::string_view path) const;
    // Whether --executables-only lets a file of this st_mode through.
    [[nodiscard]] bool selects_mode(std::uint32_t mode) const;

    [[nodiscard]] bool executables_only() const { return executables_only_; }
    // Whether the same content object may be selected at one path and not at
    // another (so dirtrees cannot be rewritten independently of their path).
    [[nodiscard]] bool path_dependent() const { return !include_.empty() || !exclude_.empty(); }
    [[nodiscard]] bool selects_everything() const
    {
        return !path_dependent() && !executables_only_;
    }

    [[nodiscard]] std::vector<std::string> include_globs() const;
    [[nodiscard]] std::vector<std::string> exclude_globs() const;

  private:
    std::vector<GlobPattern> include_;
    std::vector<GlobPattern> exclude_;
    bool executables_only_ = false;
};

} // namespace ostree_ima
