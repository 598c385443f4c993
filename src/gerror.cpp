#include "gerror.hpp"

namespace ostree_ima {

void throw_gerror(GError *error, const std::string &context)
{
    std::string message = context;
    if (error != nullptr) {
        message += ": ";
        message += error->message;
        g_error_free(error);
    }
    // GLib messages may span lines; errors here are one line.
    for (auto &c : message)
        if (c == '\n')
            c = ' ';
    throw Error(message);
}

} // namespace ostree_ima
