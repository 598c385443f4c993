#include "cli/sign_report.hpp"

#include "cli/binding_report.hpp"
#include "cli/json_report.hpp"
#include "cli/scheme_option.hpp"
#include "util/quoted_input.hpp"
#include "util/wording.hpp"

#include <iostream>

namespace ostree_ima::cli {

namespace {
std::string kept_text(const SignReport &r)
{
    std::string out = "kept " + counted(r.files_kept, "existing signature", "existing signatures");
    if (r.files_kept_other_keys == 0)
        return out;
    out += " (" + grouped(r.files_kept_other_keys) + " by other keys, key id and files:";
    for (const auto &[id, files] : r.other_key_ids)
        out += " " + key_id_hex(id) + " " + grouped(files);
    return out + ")";
}

std::string replaced_text(const SignReport &r)
{
    if (r.files_replaced.invalid() == 0)
        return "";
    return ", replaced " +
           counted(r.files_replaced.invalid(), "invalid signature", "invalid signatures") + " (" +
           grouped(r.files_replaced.malformed) + " malformed, " +
           grouped(r.files_replaced.not_verifying) + " by this key not matching the content)";
}

// A valid signature of another format is replaced, not invalid.
std::string format_change_text(const SignReport &r)
{
    if (r.files_replaced.other_format == 0)
        return "";
    const std::uint64_t n = r.files_replaced.other_format;
    return ", replaced " + grouped(n) + " " + other_scheme_names(*r.scheme) +
           (n == 1 ? " signature by a " : " signatures by ") + std::string(r.scheme->name()) +
           (n == 1 ? " one" : " ones");
}
} // namespace

nlohmann::ordered_json sign_report_json(const std::string &format, const SignReport &r)
{
    nlohmann::ordered_json j = json_report(format);
    j["source_commit"] = r.source_commit;
    j["commit"] = r.new_commit;
    j["ref"] = r.ref.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.ref);
    j["files_signed"] = r.files_signed;
    j["files_replaced"] = {{"malformed", r.files_replaced.malformed},
                           {"other_format", r.files_replaced.other_format},
                           {"not_verifying", r.files_replaced.not_verifying},
                           {"overwritten", r.files_replaced.overwritten}};
    j["files_kept"] = r.files_kept;
    j["files_kept_other_keys"] = r.files_kept_other_keys;
    nlohmann::ordered_json other = nlohmann::ordered_json::object();
    for (const auto &[id, files] : r.other_key_ids)
        other[key_id_hex(id)] = files;
    j["other_key_ids"] = std::move(other);
    j["signatures"] = {{"made", r.signatures.made},
                       {"reused_from_commits", r.signatures.from_commit + r.signatures.from_record},
                       {"reused_with_files", r.signatures.from_record},
                       {"reused_from_cache", r.signatures.from_cache},
                       {"same_content", r.signatures.same_digest},
                       {"rejected", r.signatures.rejected},
                       {"cache_lines_skipped", r.signatures.cache_lines_skipped},
                       {"reuse_skipped", r.reuse_skipped.size()}};
    j["evm"] = {{"made", r.evm.made},
                {"kept", r.evm.kept},
                {"replaced", r.evm.replaced},
                {"removed_stale", r.evm.removed_stale},
                {"under_usr_etc", r.evm.under_usr_etc},
                {"without_selinux_label", r.evm.without_selinux_label},
                {"selinux_policy", r.evm.selinux_policy}};
    j["unique_objects_signed"] = r.unique_signed;
    j["bytes_hashed"] = r.bytes_hashed;
    j["seconds"] = r.seconds;
    add_binding_json(j, r.binding);
    j["signature_format"] = r.scheme->name();
    return j;
}

// "; 12 signatures made by the key, 1200 reused (1190 from --reuse, 10 from
// the cache), 3 known signatures rejected": only when something was reused
// or rejected.
std::string signatures_text(const SignReport &r)
{
    const SignatureCounts &s = r.signatures;
    const std::uint64_t reused = s.from_commit + s.from_record + s.from_cache;
    if (reused == 0 && s.rejected == 0 && s.cache_lines_skipped == 0)
        return "";
    std::string out = "; " + counted(s.made, "signature", "signatures") + " made by the key, " +
                      grouped(reused) + " reused (" + grouped(s.from_commit + s.from_record) +
                      " from --reuse";
    if (s.from_record != 0)
        out += ", " + grouped(s.from_record) + " of them with their signed files, unread";
    out += ", " + grouped(s.from_cache) + " from the cache)";
    if (s.rejected != 0)
        out += ", " + counted(s.rejected, "known signature", "known signatures") +
               " rejected (not valid)";
    if (s.cache_lines_skipped != 0)
        out += ", " + counted(s.cache_lines_skipped, "cache line", "cache lines") + " skipped";
    return out;
}

std::string sign_counts_text(const SignReport &r)
{
    return "signed " + counted(r.files_signed, "file", "files") + " (" +
           counted(r.unique_signed, "unique object", "unique objects") + "), " + kept_text(r) +
           replaced_text(r) + format_change_text(r) + signatures_text(r);
}

void print_reuse_warnings(const std::vector<std::string> &skipped, bool quiet)
{
    if (quiet)
        return;
    for (const std::string &line : skipped)
        std::cerr << "ostree-ima: warning: " << printable_input(line, 2000) << "\n";
}

std::string usr_etc_warning_text(const SignReport &r)
{
    if (r.usr_etc_files_signed == 0)
        return "";
    return "signed " + counted(r.usr_etc_files_signed, "file", "files") +
           " under /usr/etc (first " + printable_input(r.usr_etc_first_signed) +
           "): deployment copies them to /etc, where an edit leaves a stale signature" +
           (r.evm.under_usr_etc != 0 ? std::string(" (security.ima and security.evm)") : "") +
           " that the /etc merge carries on; 'sign --skip-usr-etc' leaves them unsigned "
           "(/usr/share/doc/ostree-ima/docs/deploying.md)";
}

std::string sign_warnings_text(const SignReport &r)
{
    if (r.files_kept_other_keys == 0 && r.files_replaced.invalid() == 0 &&
        r.files_replaced.other_format == 0)
        return "";
    return kept_text(r) + replaced_text(r) + format_change_text(r);
}

std::string evm_text(const SignReport &r)
{
    const EvmCounts &e = r.evm;
    std::string out;
    if (e.made + e.kept + e.replaced != 0)
        out += "ostree-ima: EVM: signed " + counted(e.made + e.replaced, "file", "files") + " (" +
               grouped(e.replaced) + " replacing an invalid security.evm), kept " +
               grouped(e.kept) + "\n";
    if (e.removed_stale != 0)
        out += "ostree-ima: removed " + grouped(e.removed_stale) +
               " stale security.evm (they covered the replaced security.ima; sign with --evm "
               "to make new ones)\n";
    if (e.selinux_policy && e.without_selinux_label != 0)
        out += "ostree-ima: warning: " +
               counted(e.without_selinux_label, "EVM-signed file has", "EVM-signed files have") +
               " no security.selinux while the commit enables an SELinux "
               "policy (--evm-ignore-selinux): labelling at deploy invalidates them\n";
    return out;
}

} // namespace ostree_ima::cli
