// Opening an OSTree repository and resolving revisions, with clear errors.
#pragma once

#include <ostree.h>
#include <string>

namespace ostree_ima {

// Owns an OstreeRepo reference.
class Repo {
  public:
    // Opens REPO; throws Error naming the path when it is missing or not an
    // OSTree repository.
    static Repo open(const std::string &path);

    Repo(Repo &&other) noexcept : repo_(other.repo_), path_(std::move(other.path_))
    {
        other.repo_ = nullptr;
    }
    Repo(const Repo &) = delete;
    Repo &operator=(const Repo &) = delete;
    Repo &operator=(Repo &&) = delete;
    ~Repo();

    [[nodiscard]] OstreeRepo *get() const { return repo_; }
    [[nodiscard]] const std::string &path() const { return path_; }
    [[nodiscard]] OstreeRepoMode mode() const;

    // A ref or commit checksum to the commit checksum; Error when unknown.
    [[nodiscard]] std::string resolve_commit(const std::string &rev) const;

    // Throws Error when this repository's mode cannot store security.ima.
    void require_xattr_support() const;

  private:
    Repo(OstreeRepo *repo, std::string path) : repo_(repo), path_(std::move(path)) {}
    OstreeRepo *repo_;
    std::string path_;
};

} // namespace ostree_ima
