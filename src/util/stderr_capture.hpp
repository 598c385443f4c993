// StderrCapture: diverts file descriptor 2 into a memory file for a scope.
//
// Loading every registered PKCS#11 module also loads tpm2-pkcs11, whose TSS
// libraries print a dozen TCTI errors on stderr when no TPM is reachable,
// even when the key sought is on another token. We hide that output while
// modules initialize and replay it only when it may explain a failure.
// fd 2 is process-wide: use this only while no other thread writes to stderr
// (opening a key happens before the signing threads start).
#pragma once

#include "util/fd.hpp"

#include <string>

namespace ostree_ima {

class StderrCapture {
  public:
    // Starts capturing; if that is impossible, output simply goes through.
    StderrCapture();
    ~StderrCapture();
    StderrCapture(const StderrCapture &) = delete;
    StderrCapture &operator=(const StderrCapture &) = delete;

    // Restores stderr (idempotent) and returns what was written meanwhile.
    std::string finish();

  private:
    Fd saved_fd_;
    Fd capture_fd_;
    std::string captured_;
};

} // namespace ostree_ima
