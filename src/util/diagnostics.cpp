#include "util/diagnostics.hpp"

#include <atomic>

namespace ostree_ima {

namespace {
std::atomic<DiagnosticSink *> g_sink{nullptr};
}

DiagnosticSink::~DiagnosticSink() = default;

void set_diagnostic_sink(DiagnosticSink *sink)
{
    g_sink.store(sink);
}

void diagnose(DiagnosticKind kind, std::string_view text)
{
    if (text.empty())
        return;
    if (DiagnosticSink *sink = g_sink.load())
        sink->diagnostic(kind, text);
}

} // namespace ostree_ima
