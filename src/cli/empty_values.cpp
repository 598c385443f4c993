#include "cli/empty_values.hpp"

#include <string_view>
#include <vector>

namespace ostree_ima::cli {

namespace {
constexpr const char *kEmptyValue = "empty value; give it one or leave the option out";

bool takes_value(const CLI::Option &option)
{
    return option.nonpositional() && option.get_type_size() != 0;
}

std::vector<const CLI::App *> app_and_subcommands(const CLI::App &app)
{
    std::vector<const CLI::App *> all{&app};
    for (std::size_t i = 0; i < all.size(); ++i)
        for (const CLI::App *sub : all[i]->get_subcommands({}))
            all.push_back(sub);
    return all;
}
} // namespace

void refuse_empty_values(CLI::App &app)
{
    const CLI::Validator non_empty(
        [](const std::string &value) { return value.empty() ? std::string(kEmptyValue) : ""; }, "",
        "non-empty");
    std::vector<CLI::App *> all{&app};
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (CLI::App *sub : all[i]->get_subcommands({}))
            all.push_back(sub);
        for (CLI::Option *option : all[i]->get_options())
            if (takes_value(*option))
                option->check(non_empty);
    }
}

std::optional<std::string> empty_inline_value(const CLI::App &app, int argc,
                                              const char *const *argv)
{
    const std::vector<const CLI::App *> all = app_and_subcommands(app);
    for (int i = 1; i < argc; ++i) {
        const std::string_view word(argv[i]);
        if (word == "--")
            break;
        if (!word.starts_with("--") || word.size() < 4 || !word.ends_with('='))
            continue;
        const std::string name(word.substr(0, word.size() - 1));
        for (const CLI::App *each : all) {
            const CLI::Option *option = each->get_option_no_throw(name);
            if (option != nullptr && takes_value(*option))
                return name + ": " + kEmptyValue;
        }
    }
    return std::nullopt;
}

} // namespace ostree_ima::cli
