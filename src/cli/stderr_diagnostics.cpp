#include "cli/stderr_diagnostics.hpp"

#include "ostree-ima/diagnostics.hpp"

#include <iostream>
#include <string>

namespace ostree_ima::cli {

namespace {
class StderrDiagnostics final : public DiagnosticSink {
  public:
    void diagnostic(DiagnosticKind kind, std::string_view text) override
    {
        std::string line;
        switch (kind) {
        case DiagnosticKind::Warning:
            line = "ostree-ima: warning: " + std::string(text) + "\n";
            break;
        case DiagnosticKind::Note:
            line = "ostree-ima: note: " + std::string(text) + "\n";
            break;
        case DiagnosticKind::Prompt:
            line = "ostree-ima: " + std::string(text) + "\n";
            break;
        case DiagnosticKind::ModuleOutput:
            line = std::string(text); // the module's own lines, as it wrote them
            break;
        }
        std::cerr << line << std::flush; // one write per message, whatever the thread
    }
};
} // namespace

void install_stderr_diagnostics()
{
    static StderrDiagnostics sink;
    set_diagnostic_sink(&sink);
}

} // namespace ostree_ima::cli
