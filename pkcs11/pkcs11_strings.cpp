#include "pkcs11_strings.hpp"

namespace ostree_ima::pkcs11 {

std::string fixed_field(const unsigned char *field, std::size_t size)
{
    std::size_t end = 0;
    // Some modules NUL-terminate instead of padding: stop at the first NUL.
    while (end < size && field[end] != '\0') {
        ++end;
    }
    while (end > 0 && field[end - 1] == ' ') {
        --end;
    }
    return std::string(reinterpret_cast<const char *>(field), end);
}

} // namespace ostree_ima::pkcs11
