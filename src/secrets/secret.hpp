// SecretString: a PIN or passphrase that is wiped when it goes away.
#pragma once

#include <string>
#include <utility>

namespace ostree_ima {

// Holds a secret in a std::string whose storage is cleansed (OPENSSL_cleanse)
// on destruction and on reassignment. Move-only so that copies do not linger.
class SecretString {
  public:
    SecretString() = default;
    explicit SecretString(std::string value) : value_(std::move(value)) {}
    SecretString(const SecretString &) = delete;
    SecretString &operator=(const SecretString &) = delete;
    SecretString(SecretString &&other) noexcept;
    SecretString &operator=(SecretString &&other) noexcept;
    ~SecretString();

    [[nodiscard]] const std::string &str() const { return value_; }
    [[nodiscard]] const char *c_str() const { return value_.c_str(); }
    [[nodiscard]] std::size_t size() const { return value_.size(); }
    [[nodiscard]] bool empty() const { return value_.empty(); }
    void clear();

  private:
    std::string value_;
};

} // namespace ostree_ima
