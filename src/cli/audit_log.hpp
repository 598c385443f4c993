// AuditLog: one JSON line per sign-digests run, appended to --audit-log, so a
// signing room keeps a record of what its key signed, when, and by whom.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ostree_ima::cli {

struct AuditRecord {
    std::string key;    // the --key reference, PIN removed (redact_key_reference)
    std::string key_id; // 8 hex digits
    std::string commit;
    std::string hash;
    std::uint64_t signatures = 0;
    std::string manifest_sha256;
};

class AuditLog {
  public:
    // Opens (creates, mode 0600) for appending now, so that an unwritable log
    // stops the run before anything is signed. Throws Error.
    explicit AuditLog(const std::string &path);
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;
    ~AuditLog();

    // Adds time (UTC, ISO 8601), user and host, and appends the line with
    // one write(), so concurrent runs never interleave within a line.
    void append(const AuditRecord &record);

  private:
    std::string path_;
    int fd_ = -1;
};

// A key reference without secrets: a PKCS#11 URI (in any case) is shown
// from its recognised attributes without pin-value (pkcs11::uri_display);
// anything else is returned as it is.
std::string redact_key_reference(std::string_view key);

} // namespace ostree_ima::cli
