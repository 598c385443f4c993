// quiet_module_logs: keeps the log lines that PKCS#11 modules and OpenSSL
// providers print on stderr out of our one-line errors.
#pragma once

namespace ostree_ima::cli {

// Sets, unless the user set them (or OSTREE_IMA_DEBUG is set), the
// documented environment knobs of the TPM stack: TSS2_LOG=all+NONE (the
// tpm2-tss libraries under tpm2-pkcs11 and the tpm2 provider) and
// TPM2_PKCS11_LOG_LEVEL=0. Call first thing in main: setenv is safe only
// while no other thread runs, and modules read these when they load.
void quiet_module_logs();

} // namespace ostree_ima::cli
