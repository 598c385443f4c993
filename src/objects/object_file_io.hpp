// File-level I/O shared by the writers that put objects straight into a
// repository's objects/ (archive_object, bare_object_writer,
// metadata_object_writer): whole reads and writes, in-kernel copies, the
// free-space reserve, the atomic link of a finished temporary file, and the
// flush that makes them durable.
#pragma once

#include "util/fd.hpp"

#include <cstdint>
#include <functional>
#include <glib.h>
#include <ostree.h>
#include <span>
#include <string>
#include <vector>

namespace ostree_ima {

// objects/XX/YYY.EXTENSION, e.g. "dirtree".
std::string object_relpath(const std::string &checksum, const std::string &extension);

// objects/XX/YYY.file or .filez: where a content object of this checksum
// lives in a repository of this mode.
std::string content_object_relpath(const std::string &checksum, bool archive);

// strerror(errno), with the hint libostree's writes give for a full disk.
std::string errno_text();

// Bytes per read or write when the writers stream an object.
inline constexpr std::size_t kIoChunk = 256 * 1024;

// Reads exactly len bytes at offset; Error naming `what` otherwise.
void pread_all(int fd, void *buf, std::size_t len, std::uint64_t offset, const std::string &what);
void write_all(int fd, const void *buf, std::size_t len, const std::string &what);

// Reads bytes [0, size) of fd through `buf` (not empty), one sink call per
// chunk; Error naming `what` when the file is shorter or unreadable.
void read_chunks(int fd, std::uint64_t size, std::span<std::uint8_t> buf,
                 const std::function<void(std::span<const std::uint8_t>)> &sink,
                 const std::string &what);

// <BE u32 size><4 zero bytes><variant bytes>, as OSTree serialises headers.
std::vector<std::uint8_t> sized_variant(GVariant *v);

// Appends [offset, offset+len) of `in` to `out`, in the kernel where it can
// (copy_file_range: no user-space copy; shared extents where the filesystem
// does that), through a buffer otherwise.
void copy_range(int in, std::uint64_t offset, std::uint64_t len, int out, const std::string &what);

// Makes empty `out` share all of `in`'s data (FICLONE, on filesystems with
// reflinks); else copies it with copy_range.
void clone_or_copy(int in, std::uint64_t len, int out, const std::string &what);

// Refuses a write that would eat into the space libostree keeps free
// (core.min-free-space-percent/-size), as libostree's own writes do.
void require_free_space(OstreeRepo *repo, std::uint64_t bytes, const std::string &what);

// An unnamed file in the repository's tmp/ (mode 0644, read-write so a
// writer can hash what it wrote): never visible
// until link_object names it, gone by itself if the process dies first.
Fd open_object_tmpfile(int repo_dfd);

// Links a finished unnamed file in as `relpath` (objects/XX/YYY.ext). An
// object already there is identical by construction (content-addressed).
void link_object(int repo_dfd, int tmp_fd, const std::string &relpath, const std::string &what);

// Makes the objects this process linked into objects/ durable (syncfs);
// call once before a commit that references them is written.
void sync_repository(OstreeRepo *repo);

} // namespace ostree_ima
