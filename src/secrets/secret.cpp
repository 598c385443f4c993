#include "secrets/secret.hpp"

#include <openssl/crypto.h>

namespace ostree_ima {

namespace {
void wipe(std::string &s)
{
    // Cleanse the whole capacity: a shrunk string may keep old bytes past size().
    if (s.capacity() > 0) {
        s.resize(s.capacity());
        OPENSSL_cleanse(s.data(), s.size());
    }
    s.clear();
}
} // namespace

SecretString::SecretString(SecretString &&other) noexcept : value_(std::move(other.value_))
{
    wipe(other.value_);
}

SecretString &SecretString::operator=(SecretString &&other) noexcept
{
    if (this != &other) {
        wipe(value_);
        value_ = std::move(other.value_);
        wipe(other.value_);
    }
    return *this;
}

SecretString::~SecretString()
{
    wipe(value_);
}

void SecretString::clear()
{
    wipe(value_);
}

} // namespace ostree_ima
