#include "cli/audit_log.hpp"

#include "ostree-ima/error.hpp"
#include "util/append_file.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

namespace ostree_ima::cli {

namespace {
std::string utc_now()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string user_name()
{
    const uid_t uid = getuid();
    std::string name;
    std::vector<char> buf(16384);
    passwd pw{};
    passwd *found = nullptr;
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr)
        name = found->pw_name;
    else
        name = "uid " + std::to_string(uid);
    // Who ran sudo is what an auditor wants to know.
    if (const char *sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0')
        name += " (sudo by " + std::string(sudo) + ")";
    return name;
}

std::string host_name()
{
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0)
        return "unknown";
    return buf;
}

} // namespace

AuditLog::AuditLog(const std::string &path) : path_(path)
{
    try {
        fd_ = open_append_file(path, {"audit log", "--audit-log"}, Access::Append).fd;
    } catch (const Error &e) {
        throw Error(std::string(e.what()) + "; nothing was signed");
    }
}

void AuditLog::append(const AuditRecord &record)
{
    nlohmann::ordered_json j;
    j["time"] = utc_now();
    j["user"] = user_name();
    j["host"] = host_name();
    j["key"] = record.key;
    j["key_id"] = record.key_id;
    j["commit"] = record.commit;
    j["hash"] = record.hash;
    j["signature_format"] = record.signature_format;
    j["signatures"] = record.signatures;
    j["made_by_key"] = record.made_by_key;
    j["manifest_sha256"] = record.manifest_sha256;
    const std::string line =
        j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    const ssize_t n = ::write(fd_.get(), line.data(), line.size());
    if (n != static_cast<ssize_t>(line.size()) || ::fsync(fd_.get()) != 0)
        throw Error("cannot append to audit log " + path_ + ": " + std::strerror(errno));
}

} // namespace ostree_ima::cli
