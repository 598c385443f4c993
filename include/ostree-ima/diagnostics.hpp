// Diagnostics: the library's warnings and notes, the prompt for a PIN pad,
// and what a PKCS#11 module or an OpenSSL engine printed that may explain a
// failure, handed to the caller's sink. The library writes nothing to
// stderr itself: without a sink they are dropped. The ostree-ima command's
// sink prints them on stderr ("ostree-ima: warning: ...").
#pragma once

#include "ostree-ima/export.hpp"

#include <string_view>

namespace ostree_ima {

enum class DiagnosticKind {
    Warning,      // something the user should fix (a PIN visible to others)
    Note,         // worth knowing (a token with several certificates for a key)
    Prompt,       // asks the person at the terminal to act (a PIN pad)
    ModuleOutput, // a module's or engine's own words, verbatim, newlines included
};

class OSTREE_IMA_EXPORT DiagnosticSink {
  public:
    virtual ~DiagnosticSink();
    // One message, without the program's prefix; may be called from any
    // thread.
    virtual void diagnostic(DiagnosticKind kind, std::string_view text) = 0;
};

// For the whole process, before any job starts (not synchronised with jobs
// running); null (the default) drops them. The sink must outlive the jobs.
OSTREE_IMA_EXPORT void set_diagnostic_sink(DiagnosticSink *sink);

} // namespace ostree_ima
