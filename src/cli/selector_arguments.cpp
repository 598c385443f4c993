#include "cli/selector_arguments.hpp"

namespace ostree_ima::cli {

void SelectorArguments::add_options(CLI::App &cmd)
{
    cmd.add_option("--include", include,
                   "only files whose path in the commit matches this glob (repeatable; * stays "
                   "within a directory, ** crosses them, ? is one character), e.g. '/usr/bin/*'")
        ->allow_extra_args(false); // one glob per option: never swallow SRC_REV
    cmd.add_option("--exclude", exclude,
                   "never files whose path matches this glob (repeatable; wins over --include)")
        ->allow_extra_args(false);
    cmd.add_flag("--executables-only", executables_only,
                 "only files with an execute bit in their mode");
}

PathSelector SelectorArguments::selector() const
{
    return PathSelector(include, exclude, executables_only);
}

} // namespace ostree_ima::cli
