#include "cli/parse_error_text.hpp"

#include "util/quoted_input.hpp"

#include <cctype>
#include <regex>

namespace ostree_ima::cli {

namespace {
std::string quoted_words(const std::string &words)
{
    std::string out;
    std::size_t start = 0;
    while (start < words.size()) {
        auto end = words.find(' ', start);
        if (end == std::string::npos)
            end = words.size();
        out += (out.empty() ? "" : " ") + quoted_input(words.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string reworded(const std::string &what, const std::string &command)
{
    const std::string who = command.empty() ? "ostree-ima" : command;
    std::smatch m;
    // CLI11's messages, as of 2.1 (Error.hpp); anything else keeps its words.
    if (std::regex_match(what, m, std::regex(R"re((\S+) is required)re")))
        return who + " needs " + m[1].str();
    if (std::regex_match(what, m, std::regex(R"re(Requires at least \d+ subcommands?)re")) ||
        what == "A subcommand is required")
        return "no command given";
    if (std::regex_match(what, m,
                         std::regex("The following arguments? (?:was|were) not expected: (.*)"))) {
        const std::string words = m[1].str();
        return (words.starts_with("-") ? "unknown option " : "unexpected argument ") +
               quoted_words(words) + (command.empty() ? "" : " for " + command);
    }
    if (std::regex_match(what, m, std::regex(R"re((\S+): \d+ required \S+ missing)re")))
        return m[1].str() + " needs a value";
    if (std::regex_match(what, m,
                         std::regex(R"re(Expected exactly (\d+) arguments? to (\S+?),.*)re")))
        return m[2].str() + " takes " + m[1].str() + (m[1].str() == "1" ? " value" : " values");
    if (std::regex_match(what, m, std::regex(R"re((\S+) excludes (\S+))re")))
        return m[1].str() + " and " + m[2].str() + " cannot be given together";
    if (std::regex_match(what, m, std::regex(R"re((\S+) requires (\S+))re")))
        return m[1].str() + " needs " + m[2].str();
    if (std::regex_match(what, m, std::regex(R"re((\S+): (?:Value )?(.*) not in \{(.*)\})re"))) {
        // As refuse_empty_values says it (CLI11 runs the member check first).
        if (m[2].length() == 0)
            return m[1].str() + ": empty value; give it one or leave the option out";
        return m[1].str() + " must be one of " + m[3].str() + ", not " + quoted_input(m[2].str());
    }
    if (std::regex_match(what, m,
                         std::regex(R"re(The value (.*) is not an allowed value for (\S+))re")))
        return m[2].str() + ": " + quoted_input(m[1].str()) + " is not an allowed value";
    if (std::regex_match(what, m, std::regex(R"re(Could not convert: (\S+) = (.*))re")))
        return m[1].str() + ": " + quoted_input(m[2].str()) + " is not a valid value";
    std::string out = what;
    if (!out.empty() && std::isupper(static_cast<unsigned char>(out[0])) != 0 &&
        (out.size() < 2 || std::islower(static_cast<unsigned char>(out[1])) != 0))
        out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
    return out;
}
} // namespace

std::string parse_error_text(const std::string &what, const std::string &command)
{
    return reworded(what, command) + " (see 'ostree-ima " + (command.empty() ? "" : command + " ") +
           "--help')";
}

} // namespace ostree_ima::cli
