// Files written whole by name (-o FILE, policy -o DIR): the one way the tool
// creates or replaces such a file, so that a link, device or FIFO planted
// where the file is expected cannot take the output (docs/threat-model.md).
//
// The rule, by what the path names (checked with lstat, never following the
// last component):
//   "-", /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: a descriptor
//       the caller opened for us (a shell's >(...) is /dev/fd/N): written
//       into as it is.
//   nothing: a temporary file beside it, flushed and renamed into place
//       without replacing anything that appeared meanwhile.
//   a regular file or a symbolic link: replaced by that rename (the link
//       itself, never its target) when `replace`, else refused ("already
//       exists; add --force").
//   the null device (any node of it, e.g. /dev/null): written into.
//   another character device or a FIFO: written into with `force`, else
//       refused.
//   a block device, a directory, a socket: always refused, never opened.
#pragma once

#include "ostree-ima/error.hpp"
#include "util/fd.hpp"
#include "util/file_role.hpp"

#include <string>

namespace ostree_ima {

// The reader of a descriptor the caller gave (stdout, /dev/fd/N) went away
// (EPIPE: `| head`): the command ends quietly, as one killed by SIGPIPE.
class OutputClosed : public Error {
  public:
    OutputClosed() : Error("the reader of the output went away") {}
};

struct OutputRules {
    bool replace = false; // an existing regular file or symlink may be replaced
    bool force = false;   // a FIFO or character device may be written into
    // The command has --force: refusals say to add it; else they say to
    // write to stdout (-o -) and redirect it.
    bool has_force = true;
};

// Writes `contents` to `path` by the rules above. Throws Error naming the
// path, what is there and what to do; OutputClosed when a caller's
// descriptor has no reader.
void write_output_file(const std::string &path, const std::string &contents,
                       const OutputRules &rules, const FileRole &role);

// Throws what write_output_file would refuse for `path`, without writing:
// a command checks its output before the work whose result it holds.
void check_output_file(const std::string &path, const OutputRules &rules, const FileRole &role);

// A directory for write_output_file_at: `path` opened with O_NOFOLLOW (a
// link planted as the directory is refused too), made (mode 0755) if
// missing.
Fd open_output_directory(const std::string &path, const FileRole &role);

// Throws what write_output_file_at would refuse for `name` in `dir`, without
// writing: lets a command refuse a set of files before writing any.
void check_output_file_at(const Fd &dir, const std::string &dir_path, const std::string &name,
                          const OutputRules &rules, const FileRole &role);

// write_output_file for `name` (one component) in the directory `dir`.
void write_output_file_at(const Fd &dir, const std::string &dir_path, const std::string &name,
                          const std::string &contents, const OutputRules &rules,
                          const FileRole &role);

} // namespace ostree_ima
