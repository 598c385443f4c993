// The library's side of ostree-ima/diagnostics.hpp: where library code
// sends a warning, a note, a prompt or a module's output instead of stderr.
#pragma once

#include "ostree-ima/diagnostics.hpp"

#include <string_view>

namespace ostree_ima {

void diagnose(DiagnosticKind kind, std::string_view text);
inline void warn(std::string_view text)
{
    diagnose(DiagnosticKind::Warning, text);
}
inline void note(std::string_view text)
{
    diagnose(DiagnosticKind::Note, text);
}

} // namespace ostree_ima
