// The command's DiagnosticSink: the library's warnings, notes, prompts and
// module output on stderr, in the tool's words ("ostree-ima: warning: ...").
#pragma once

namespace ostree_ima::cli {

// Installs it for the whole run (main, before any job).
void install_stderr_diagnostics();

} // namespace ostree_ima::cli
