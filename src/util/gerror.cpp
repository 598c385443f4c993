#include "util/gerror.hpp"

#include "util/quoted_input.hpp"

#include <cstring>
#include <gio/gio.h>

namespace ostree_ima {

namespace {
// Room for libostree's longest own messages, not for a hostile input in them.
constexpr std::size_t kMaxGlibMessageChars = 300;

// A full disk is the failure met most often; say so plainly and what to do.
std::string space_hint(const GError *error)
{
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        return "; free space on the repository's filesystem and run again";
    if (std::strstr(error->message, "min-free-space") != nullptr)
        return " (no space: ostree keeps core.min-free-space-percent or -size free); free "
               "space on the repository's filesystem and run again";
    return "";
}
} // namespace

void throw_gerror(GError *error, const std::string &context)
{
    std::string message = context;
    if (error != nullptr) {
        // GLib messages may span lines; errors here are one line. libostree
        // quotes what it was given (a ref name, a path) in full: bounded.
        std::string text = error->message;
        for (auto &c : text)
            if (c == '\n')
                c = ' ';
        message += ": ";
        message += printable_input(text, kMaxGlibMessageChars);
        message += space_hint(error);
        g_error_free(error);
    }
    throw Error(message);
}

} // namespace ostree_ima
