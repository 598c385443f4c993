#include "ostree-ima/path_selector.hpp"

#include "ostree-ima/error.hpp"
#include "util/quoted_input.hpp"

#include <algorithm>

namespace ostree_ima {

GlobPattern::GlobPattern(std::string text, const std::string &option) : text_(std::move(text))
{
    if (text_.empty() || (text_[0] != '/' && text_.rfind("**", 0) != 0))
        throw UsageError(option + " " + quoted_input(text_) +
                         " must start with '/' or '**': it matches a file's whole path in the "
                         "commit, e.g. /usr/bin/* or **/*.so");
    for (std::size_t i = 0; i < text_.size(); ++i) {
        const char c = text_[i];
        if (c == '\\' && i + 1 < text_.size()) {
            tokens_.push_back({Kind::Literal, text_[++i]});
        } else if (c == '?') {
            tokens_.push_back({Kind::AnyChar, 0});
        } else if (c == '*') {
            std::size_t run = 1;
            while (i + 1 < text_.size() && text_[i + 1] == '*') {
                ++i;
                ++run;
            }
            if (run == 1) {
                tokens_.push_back({Kind::Star, 0});
            } else if (i + 1 < text_.size() && text_[i + 1] == '/') {
                ++i; // "**/" also matches nothing: zero directories
                tokens_.push_back({Kind::DirStars, 0});
            } else {
                tokens_.push_back({Kind::DoubleStar, 0});
            }
        } else {
            tokens_.push_back({Kind::Literal, c});
        }
    }
}

bool GlobPattern::matches(std::string_view path) const
{
    // Dynamic programming over (token, position): linear in tokens x path
    // length whatever the glob, so no pattern can make it backtrack badly.
    const std::size_t n = path.size();
    std::vector<char> prev(n + 1, 0);
    std::vector<char> next(n + 1, 0);
    prev[0] = 1;
    for (const Token &t : tokens_) {
        std::fill(next.begin(), next.end(), 0);
        bool reachable = false; // some prev[k], k <= j, matched
        for (std::size_t j = 0; j <= n; ++j) {
            reachable = reachable || prev[j] != 0;
            switch (t.kind) {
            case Kind::Literal:
                if (j < n && prev[j] != 0 && path[j] == t.c)
                    next[j + 1] = 1;
                break;
            case Kind::AnyChar:
                if (j < n && prev[j] != 0 && path[j] != '/')
                    next[j + 1] = 1;
                break;
            case Kind::Star:
                if (prev[j] != 0)
                    next[j] = 1;
                if (j < n && next[j] != 0 && path[j] != '/')
                    next[j + 1] = 1;
                break;
            case Kind::DoubleStar:
                if (reachable)
                    next[j] = 1;
                break;
            case Kind::DirStars:
                // Nothing, or any run ending with '/'.
                if (prev[j] != 0)
                    next[j] = 1;
                if (j < n && reachable && path[j] == '/')
                    next[j + 1] = 1;
                break;
            }
        }
        std::swap(prev, next);
    }
    return prev[n] != 0;
}

PathSelector::PathSelector(const std::vector<std::string> &include,
                           const std::vector<std::string> &exclude, bool executables_only)
    : executables_only_(executables_only)
{
    for (const auto &glob : include)
        include_.emplace_back(glob, "--include");
    for (const auto &glob : exclude)
        exclude_.emplace_back(glob, "--exclude");
}

bool PathSelector::selects_path(std::string_view path) const
{
    const auto match = [&](const GlobPattern &g) { return g.matches(path); };
    if (!include_.empty() && std::none_of(include_.begin(), include_.end(), match))
        return false;
    return std::none_of(exclude_.begin(), exclude_.end(), match);
}

bool PathSelector::selects_mode(std::uint32_t mode) const
{
    return !executables_only_ || (mode & 0111U) != 0;
}

std::vector<std::string> PathSelector::include_globs() const
{
    std::vector<std::string> out;
    for (const auto &g : include_)
        out.push_back(g.text());
    return out;
}

std::vector<std::string> PathSelector::exclude_globs() const
{
    std::vector<std::string> out;
    for (const auto &g : exclude_)
        out.push_back(g.text());
    return out;
}

} // namespace ostree_ima
