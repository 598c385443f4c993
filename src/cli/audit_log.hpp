// AuditLog: one JSON line per sign-digests run, appended to --audit-log, so a
// signing room keeps a record of what its key signed, when, and by whom.
#pragma once

#include "util/fd.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ostree_ima::cli {

struct AuditRecord {
    std::string key;    // the --key reference, PIN removed (recorded_key_reference)
    std::string key_id; // 8 hex digits
    std::string commit;
    std::string hash;
    std::uint64_t signatures = 0;  // in the signatures file
    std::uint64_t made_by_key = 0; // of those, made now (the rest from --signature-cache)
    std::string manifest_sha256;
    std::string signature_format; // "v2" or "verity" (signature_format_name)
};

class AuditLog {
  public:
    // Opens (creates, mode 0600) for appending now, so that an unwritable log
    // stops the run before anything is signed: only a regular file of this
    // user, never through a link (util/append_file.hpp). Throws Error.
    explicit AuditLog(const std::string &path);
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;
    ~AuditLog() = default;

    // Adds time (UTC, ISO 8601), user and host, and appends the line with
    // one write(), so concurrent runs never interleave within a line.
    void append(const AuditRecord &record);

  private:
    std::string path_;
    Fd fd_;
};

} // namespace ostree_ima::cli
