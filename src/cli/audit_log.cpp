#include "audit_log.hpp"

#include "ostree-ima/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
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

// Joins the attributes of `part` (split at `separator`) that are not a PIN.
std::string without_pin(std::string_view part, char separator)
{
    std::string out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = std::min(part.find(separator, start), part.size());
        const std::string_view attribute = part.substr(start, end - start);
        if (attribute.rfind("pin-value", 0) != 0) {
            if (!out.empty())
                out += separator;
            out += attribute;
        }
        if (end == part.size())
            return out;
        start = end + 1;
    }
}
} // namespace

std::string redact_key_reference(std::string_view key)
{
    if (key.rfind("pkcs11:", 0) != 0)
        return std::string(key);
    // RFC 7512: pin-value is a query attribute ('?', then '&'-separated);
    // also drop it from the path part (';'-separated), where it is wrong but
    // would still be a secret.
    const std::size_t query = key.find('?');
    std::string out = without_pin(key.substr(0, query), ';');
    if (query != std::string_view::npos) {
        const std::string rest = without_pin(key.substr(query + 1), '&');
        if (!rest.empty())
            out += "?" + rest;
    }
    return out;
}

AuditLog::AuditLog(const std::string &path) : path_(path)
{
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw Error("cannot open audit log " + path + ": " + std::strerror(errno) +
                    "; nothing was signed");
}

AuditLog::~AuditLog()
{
    if (fd_ >= 0)
        ::close(fd_);
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
    j["signatures"] = record.signatures;
    j["manifest_sha256"] = record.manifest_sha256;
    const std::string line =
        j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    const ssize_t n = ::write(fd_, line.data(), line.size());
    if (n != static_cast<ssize_t>(line.size()) || ::fsync(fd_) != 0)
        throw Error("cannot append to audit log " + path_ + ": " + std::strerror(errno));
}

} // namespace ostree_ima::cli
