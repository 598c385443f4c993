// AppraisalPolicy: the kernel side of what `sign` wrote, as text: the IMA
// policy rules that appraise the signed files and the busybox-sh script that
// loads the certificates into the _ima (and _evm) keyrings. No I/O.
//
// IMA rules cannot match paths. In an OSTree deployment /usr and /etc live
// on the same filesystem (the sysroot), so a rule by that filesystem's UUID
// appraises /etc too, where admins edit files and the /etc merge carries
// stale signatures (docs/deploying.md). The caller must therefore choose a
// selector: a filesystem that holds only signed files (a separate /usr,
// composefs) or an SELinux type (usr_t, bin_t), optionally both; and the
// hooks: executables only (the default: config files are read, not run) or
// every read.
#pragma once

#include "ima/schemes/signature_scheme.hpp"

#include <string>
#include <vector>

namespace ostree_ima {

enum class AppraisalHooks {
    Exec, // func=BPRM_CHECK and func=MMAP_CHECK mask=MAY_EXEC
    Read, // those and func=FILE_CHECK mask=MAY_READ
};

struct AppraisalPolicy {
    const SignatureScheme *scheme = &ima_v2_scheme(); // its appraise_type
    std::vector<std::string> fsuuids;                 // fsuuid= (one rule set each)
    std::vector<std::string> obj_types;               // obj_type= (one rule set each)
    AppraisalHooks hooks = AppraisalHooks::Exec;
};

// Throws UsageError when the policy has no selector, or a UUID or SELinux
// type is not of their syntax (the kernel rejects the whole policy write for
// one bad rule).
void check_appraisal_policy(const AppraisalPolicy &policy);

// The rules, one per line: for each fsuuid x obj_type (either may be absent,
// not both) and each hook. Written to /sys/kernel/security/ima/policy in one
// write.
std::string appraisal_policy_rules(const AppraisalPolicy &policy);

// The POSIX sh script (busybox sh, keyctl) that loads `ima_cert_files`
// (DER, names relative to the script's directory) into a new _ima keyring,
// and `evm_cert_files` (when any) into a new _evm keyring and then
// `echo 2 > /sys/kernel/security/evm`, then writes `policy_file` (in the
// same directory) to the IMA policy in one write. No certificate goes into
// both: one key per format (docs/format.md).
std::string load_keys_script(const std::vector<std::string> &ima_cert_files,
                             const std::vector<std::string> &evm_cert_files,
                             const std::string &policy_file);

// AppraisalHooks as the option values name them.
std::string_view hooks_name(AppraisalHooks hooks);

} // namespace ostree_ima
