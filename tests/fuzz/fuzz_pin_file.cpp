// A PIN file (--pin-file, a URI's pin-source=file:) with any content: the PIN
// is the first line without its "\n" or "\r\n", whatever bytes it holds.
#include "fuzz_check.hpp"
#include "ostree-ima/error.hpp"
#include "pkcs11_uri.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ostree_ima;

namespace {

// An anonymous in-memory file, closed on scope exit.
class MemFile {
  public:
    MemFile() : fd_(memfd_create("fuzz-pin", MFD_CLOEXEC)) {}
    MemFile(const MemFile &) = delete;
    MemFile &operator=(const MemFile &) = delete;
    ~MemFile()
    {
        if (fd_ >= 0)
            close(fd_);
    }
    [[nodiscard]] int fd() const { return fd_; }

  private:
    int fd_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const MemFile file;
    FUZZ_CHECK(file.fd() >= 0);
    // 0600: no "readable by other users" warning on every input.
    FUZZ_CHECK(fchmod(file.fd(), 0600) == 0);
    FUZZ_CHECK(write(file.fd(), data, size) == static_cast<ssize_t>(size));
    FUZZ_CHECK(lseek(file.fd(), 0, SEEK_SET) == 0);

    // The three spellings of a file pin-source, picked by the input's length.
    const std::string path = "/proc/self/fd/" + std::to_string(file.fd());
    static const char *const prefixes[] = {"file:", "file://", ""};
    const std::string source = prefixes[size % 3] + path;

    const SecretString pin = pkcs11::read_pin_source(source);
    std::string expected(reinterpret_cast<const char *>(data), size);
    expected = expected.substr(0, expected.find('\n'));
    if (!expected.empty() && expected.back() == '\r')
        expected.pop_back();
    FUZZ_CHECK(pin.str() == expected);
    return 0;
}
