#include "ima/appraisal_policy.hpp"

#include "ostree-ima/error.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace ostree_ima {

namespace {
// 8-4-4-4-12 hex digits, as blkid prints a filesystem UUID.
bool is_uuid(const std::string &s)
{
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0)
            return false;
    }
    return true;
}

// An SELinux type: letters, digits and '_', as policy modules name them.
bool is_selinux_type(const std::string &s)
{
    return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    });
}

std::vector<std::string> hook_conditions(AppraisalHooks hooks)
{
    std::vector<std::string> out = {"func=BPRM_CHECK", "func=MMAP_CHECK mask=MAY_EXEC"};
    if (hooks == AppraisalHooks::Read)
        out.emplace_back("func=FILE_CHECK mask=MAY_READ");
    return out;
}

// One certificate into a keyring; `keyctl padd` prints the key's id.
std::string padd_line(const std::string &keyring, const std::string &cert)
{
    return R"(keyctl padd asymmetric "" %keyring:)" + keyring + R"( < "$dir/)" + cert +
           R"(" >/dev/null)" + "\n";
}
} // namespace

std::string_view hooks_name(AppraisalHooks hooks)
{
    return hooks == AppraisalHooks::Read ? "read" : "exec";
}

void check_appraisal_policy(const AppraisalPolicy &policy)
{
    if (policy.fsuuids.empty() && policy.obj_types.empty())
        throw UsageError(
            "policy needs a selector: --fsuuid UUID of a filesystem that holds only signed "
            "files (a separate /usr, composefs), and/or --obj-type TYPE (SELinux, e.g. usr_t); "
            "IMA rules cannot match paths and in an OSTree deployment /usr and /etc share the "
            "sysroot filesystem (see /usr/share/doc/ostree-ima/docs/deploying.md)");
    for (const auto &uuid : policy.fsuuids)
        if (!is_uuid(uuid))
            throw UsageError("--fsuuid " + uuid +
                             " is not a filesystem UUID (8-4-4-4-12 hex digits, as blkid "
                             "prints it)");
    for (const auto &type : policy.obj_types)
        if (!is_selinux_type(type))
            throw UsageError("--obj-type " + type +
                             " is not an SELinux type (letters, digits and _, e.g. usr_t)");
    // A repeated selector would write every rule of it twice. The kernel
    // reads a UUID's hex digits in either case.
    std::set<std::string> uuids;
    for (const auto &uuid : policy.fsuuids) {
        std::string lower = uuid;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (!uuids.insert(lower).second)
            throw UsageError("--fsuuid " + uuid + " is given twice; give each filesystem once");
    }
    std::set<std::string> types;
    for (const auto &type : policy.obj_types)
        if (!types.insert(type).second)
            throw UsageError("--obj-type " + type + " is given twice; give each type once");
}

std::string appraisal_policy_rules(const AppraisalPolicy &policy)
{
    check_appraisal_policy(policy);
    const std::vector<std::string> none = {""};
    const auto &uuids = policy.fsuuids.empty() ? none : policy.fsuuids;
    const auto &types = policy.obj_types.empty() ? none : policy.obj_types;
    std::string out;
    for (const auto &uuid : uuids)
        for (const auto &type : types)
            for (const auto &hook : hook_conditions(policy.hooks)) {
                out += "appraise " + hook;
                if (!uuid.empty())
                    out += " fsuuid=" + uuid;
                if (!type.empty())
                    out += " obj_type=" + type;
                out += " ";
                out += policy.scheme->appraise_condition();
                out += "\n";
            }
    return out;
}

std::string load_keys_script(const std::vector<std::string> &ima_cert_files,
                             const std::vector<std::string> &evm_cert_files,
                             const std::string &policy_file)
{
    std::string out = "#!/bin/sh\n"
                      "# Written by ostree-ima policy. Run as root once per boot (initramfs),\n"
                      "# before any file the policy appraises is opened: loads the signing\n"
                      "# certificates (DER) into the kernel's keyrings, then the IMA policy,\n"
                      "# which the kernel accepts once per boot.\n"
                      "set -e\n"
                      "dir=$(dirname \"$0\")\n"
                      "keyctl newring _ima @u >/dev/null\n";
    for (const auto &cert : ima_cert_files)
        out += padd_line("_ima", cert);
    if (!evm_cert_files.empty()) {
        out += "# EVM portable signatures (sign --evm): the EVM keys, and only they, in\n"
               "# _evm, then X.509 verification on; files without a valid security.evm\n"
               "# are then denied where the policy appraises.\n"
               "keyctl newring _evm @u >/dev/null\n";
        for (const auto &cert : evm_cert_files)
            out += padd_line("_evm", cert);
        out += "echo 2 > /sys/kernel/security/evm\n";
    }
    out += "# The whole policy in one write (cat writes a file this small at once).\n"
           "cat \"$dir/" +
           policy_file + "\" > /sys/kernel/security/ima/policy\n";
    return out;
}

} // namespace ostree_ima
