#include "util/openssl_ptr.hpp"

#include <openssl/err.h>

namespace ostree_ima {

std::string openssl_error_text()
{
    // The last error is usually the most specific one.
    unsigned long code = 0;
    unsigned long last = 0;
    while ((code = ERR_get_error()) != 0)
        last = code;
    if (last == 0)
        return "";
    char buf[256];
    ERR_error_string_n(last, buf, sizeof buf);
    return buf;
}

} // namespace ostree_ima
