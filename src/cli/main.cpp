// ostree-ima: command-line entry point.
#include "cli/command.hpp"
#include "cli/core_dumps.hpp"
#include "cli/empty_values.hpp"
#include "cli/evmctl_spellings.hpp"
#include "cli/exit_codes.hpp"
#include "cli/module_logs.hpp"
#include "cli/parse_error_text.hpp"
#include "cli/repo_option.hpp"
#include "cli/stderr_diagnostics.hpp"
#include "cli/verbosity.hpp"
#include "cli/version_text.hpp"

#include "ostree-ima/cancellation.hpp"
#include "ostree-ima/error.hpp"
#include "util/output_file.hpp"
#include "util/quoted_input.hpp"

#include <clocale>
#include <csignal>
#include <cstdlib>
#include <glib.h>
#include <iostream>
#include <poll.h>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

// GLib and libostree may log warnings of their own; the user gets one clear
// line from us instead. -v (or OSTREE_IMA_DEBUG=1) shows them.
GLogWriterOutput quiet_log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                                  gpointer /*data*/)
{
    if (ostree_ima::cli::verbose())
        return g_log_writer_standard_streams(level, fields, n_fields, nullptr);
    return G_LOG_WRITER_HANDLED;
}

// Every message is one bounded line, whatever input it quotes: the places
// that quote input cap it (quoted_input), and this catches any that do not.
std::string one_line(const char *message)
{
    constexpr std::size_t kMaxMessageChars = 2000;
    return ostree_ima::printable_input(message, kMaxMessageChars);
}

// What a shell reports for a process that SIGPIPE ended: a reader that went
// away (`ostree-ima verify -v ... | head`) ends the run without a word, as it
// would where SIGPIPE is not ignored (GIO ignores it for its sockets).
constexpr int kReaderGone = 128 + SIGPIPE;

// The report on stdout may not have reached anyone: say so, unless the
// reader just stopped reading.
int ended_output(int rc)
{
    std::cout.flush();
    if (std::cout)
        return rc;
    // The stream does not keep why it failed; a pipe or socket without a
    // reader polls as an error on its writing end.
    pollfd out{.fd = STDOUT_FILENO, .events = POLLOUT, .revents = 0};
    if (::poll(&out, 1, 0) == 1 && (out.revents & POLLERR) != 0)
        return kReaderGone;
    std::cerr
        << "ostree-ima: error: cannot write to stdout (a full disk or a closed descriptor?)\n";
    return 1;
}

} // namespace

// Before the try below only allocation and CLI11 set-up errors (programming
// errors) can throw: terminating is right for those.
int main(int argc, char **argv) // NOLINT(bugprone-exception-escape)
{
    ostree_ima::cli::quiet_module_logs(); // before any thread or module exists
    std::setlocale(LC_ALL, "");
    ostree_ima::cli::disable_core_dumps();
    ostree_ima::install_interrupt_handlers();
    g_log_set_writer_func(quiet_log_writer, nullptr, nullptr);
    ostree_ima::cli::install_stderr_diagnostics();

    CLI::App app{"ostree-ima: add Linux IMA signatures to OSTree commits, with keys in files, "
                 "PKCS#11 tokens and TPMs"};
    app.require_subcommand(1);
    app.set_version_flag("--version", ostree_ima::cli::version_text,
                         "print the versions, the OpenSSL and the hash algorithms it has");
    std::string global_repo;
    const CLI::Option *global_repo_option =
        ostree_ima::cli::add_global_repo_option(app, global_repo);
    ostree_ima::cli::add_exit_codes_footer(app);
    std::vector<ostree_ima::cli::Runner> runners;
    runners.push_back(ostree_ima::cli::add_sign_command(app));
    runners.push_back(ostree_ima::cli::add_ima_sign_command(app));
    runners.push_back(ostree_ima::cli::add_verify_command(app));
    runners.push_back(ostree_ima::cli::add_strip_command(app));
    runners.push_back(ostree_ima::cli::add_digests_command(app));
    runners.push_back(ostree_ima::cli::add_sign_digests_command(app));
    runners.push_back(ostree_ima::cli::add_apply_command(app));
    runners.push_back(ostree_ima::cli::add_keys_command(app));
    runners.push_back(ostree_ima::cli::add_policy_command(app));
    runners.push_back(ostree_ima::cli::add_keylime_policy_command(app));
    ostree_ima::cli::add_verbose_flags(app);
    ostree_ima::cli::refuse_empty_values(app);

    // Before anything quotes a word: `-p SECRET` must not come back as
    // "unknown command 'SECRET'".
    if (const auto answer = ostree_ima::cli::evmctl_spelling(argc, argv)) {
        std::cerr << "ostree-ima: " << *answer << "\n";
        return 2;
    }
    // CLI11 would only say "a subcommand is required" for a mistyped one.
    // The command is the first word that is not an option or --repo's value.
    int first_word = 1;
    while (first_word < argc && argv[first_word][0] == '-')
        first_word += std::string_view(argv[first_word]) == "--repo" ? 2 : 1;
    std::string names;
    bool known = false;
    for (const auto *sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
        known = known || (first_word < argc && sub->get_name() == argv[first_word]);
    }
    if (first_word < argc && !known) {
        std::cerr << "ostree-ima: unknown command " << ostree_ima::quoted_input(argv[first_word])
                  << "; commands: " << names << "\n";
        return 2;
    }
    if (const auto empty = ostree_ima::cli::empty_inline_value(app, argc, argv)) {
        std::cerr << "ostree-ima: " << *empty << " (see 'ostree-ima "
                  << (first_word < argc ? std::string(argv[first_word]) + " " : "") << "--help')\n";
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        const std::string command = first_word < argc ? argv[first_word] : "";
        std::cerr << "ostree-ima: "
                  << one_line(ostree_ima::cli::parse_error_text(e.what(), command).c_str()) << "\n";
        return 2;
    }
    // --repo before a command that opens no repository would be ignored.
    for (const auto *sub : app.get_subcommands())
        if (global_repo_option->count() > 0 && sub->get_option_no_throw("--repo") == nullptr) {
            std::cerr << "ostree-ima: --repo is not an option of " << sub->get_name()
                      << ": it opens no repository; leave --repo out\n";
            return 2;
        }

    try {
        for (const auto &run : runners) {
            const int rc = run();
            if (rc >= 0)
                return ended_output(rc);
        }
        return 2;
    } catch (const ostree_ima::OutputClosed &) {
        return kReaderGone;
    } catch (const ostree_ima::Interrupted &e) {
        // 128 + signal, as a shell reports a process that a signal ended.
        std::cerr << "ostree-ima: " << one_line(e.what()) << "\n";
        return ostree_ima::stop_signal() > 0 ? 128 + ostree_ima::stop_signal() : 1;
    } catch (const ostree_ima::UsageError &e) {
        std::cerr << "ostree-ima: " << one_line(e.what()) << "\n";
        return 2;
    } catch (const ostree_ima::Error &e) {
        std::cerr << "ostree-ima: error: " << one_line(e.what()) << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "ostree-ima: internal error: " << one_line(e.what()) << "\n";
        return 1;
    }
}
