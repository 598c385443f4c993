// Turning a GError into our Error, with the context the user needs.
#pragma once

#include "ostree-ima/error.hpp"

#include <glib.h>
#include <string>

namespace ostree_ima {

// Throws Error("<context>: <GError message>") and frees the GError.
[[noreturn]] void throw_gerror(GError *error, const std::string &context);

// Calls throw_gerror when ok is false. `error` is taken by reference: by value
// it would be copied before the call in `check_g(f(&error), error, ...)` set it
// (argument evaluation order is unspecified), losing GLib's message.
inline void check_g(gboolean ok, GError *&error, const std::string &context)
{
    if (!ok)
        throw_gerror(error, context);
}

} // namespace ostree_ima
