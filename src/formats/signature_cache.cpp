#include "formats/signature_cache.hpp"

#include "ima/schemes/signature_scheme.hpp"
#include "ima/signature_size.hpp"
#include "ostree-ima/error.hpp"
#include "util/append_file.hpp"
#include "util/input_file.hpp"
#include "util/quoted_input.hpp"
#include "util/text_encoding.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace ostree_ima {

namespace {
constexpr std::string_view kHeader = "# ostree-ima signature cache 1\n";
// A line longer than this is not an entry: the longest algorithm name with
// a scheme's prefix (SignatureScheme::cache_prefix, at most 16 bytes), a
// sha512 digest, a key id and the largest signature, three spaces between.
constexpr std::size_t kMaxSchemePrefix = 16;
constexpr std::size_t kMaxLine = 32 + kMaxSchemePrefix + 128 + 8 + kMaxSignatureBase64Chars + 3;

// The scheme whose prefix the first field has (the longest that matches:
// v2's is empty), and the algorithm name after it.
const SignatureScheme &scheme_of_field(std::string_view &field)
{
    const SignatureScheme *found = nullptr;
    for (const SignatureScheme *scheme : signature_schemes()) {
        const std::string_view prefix = scheme->cache_prefix();
        if (field.substr(0, prefix.size()) == prefix &&
            (found == nullptr || prefix.size() > found->cache_prefix().size()))
            found = scheme;
    }
    if (found == nullptr)
        found = &ima_v2_scheme();
    field.remove_prefix(found->cache_prefix().size());
    return *found;
}

std::vector<std::string_view> fields_of(std::string_view line)
{
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (start <= line.size()) {
        const std::size_t space = line.find(' ', start);
        const std::size_t end = space == std::string_view::npos ? line.size() : space;
        fields.push_back(line.substr(start, end - start));
        if (space == std::string_view::npos)
            break;
        start = space + 1;
    }
    return fields;
}
} // namespace

std::optional<CachedSignature> parse_cache_line(std::string_view line)
{
    if (line.size() > kMaxLine)
        return std::nullopt;
    const auto fields = fields_of(line);
    if (fields.size() != 4)
        return std::nullopt;
    CachedSignature entry;
    std::string_view algo_name = fields[0];
    entry.scheme = &scheme_of_field(algo_name);
    for (const HashAlgo &algo : all_hash_algos())
        if (algo.name == algo_name && algo.available())
            entry.algo = &algo;
    if (entry.algo == nullptr || !entry.scheme->accepts(*entry.algo))
        return std::nullopt;
    auto digest = from_hex(fields[1]);
    auto key_id = from_hex(fields[2]);
    auto signature = from_base64(fields[3]);
    if (!digest || digest->size() != entry.algo->digest_size || !key_id ||
        key_id->size() != entry.key_id.size() || !signature || signature->empty() ||
        signature->size() > kMaxSignatureBytes)
        return std::nullopt;
    entry.digest = std::move(*digest);
    std::copy(key_id->begin(), key_id->end(), entry.key_id.begin());
    entry.signature = std::move(*signature);
    return entry;
}

std::string format_cache_line(const CachedSignature &entry)
{
    return std::string(entry.scheme->cache_prefix()) + std::string(entry.algo->name) + " " +
           to_hex(entry.digest) + " " + key_id_hex(entry.key_id) + " " +
           to_base64(entry.signature) + "\n";
}

CacheContents parse_signature_cache(std::string_view text)
{
    CacheContents out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t newline = text.find('\n', start);
        if (newline == std::string::npos) { // cut short by a crash: not an entry
            ++out.skipped;
            break;
        }
        const std::string_view line = text.substr(start, newline - start);
        start = newline + 1;
        if (line.empty() || line.front() == '#')
            continue;
        if (auto entry = parse_cache_line(line))
            out.entries.push_back(std::move(*entry));
        else
            ++out.skipped;
    }
    return out;
}

SignatureCacheWriter::SignatureCacheWriter(const std::string &path) : path_(path)
{
    const FileRole role{"signature cache", "--signature-cache"};
    AppendFile file = open_append_file(path, role, Access::ReadAppend);
    fd_ = std::move(file.fd);
    writable_ = file.writable;
    why_not_writable_ = std::move(file.why_not);
    std::string text(input_size(fd_, path, kMaxBytes, role), '\0');
    text.resize(read_input(fd_, path, role, text.data(), text.size()));
    contents_ = parse_signature_cache(text);
    if (!writable_)
        return;
    const std::string what = "signature cache " + quoted_input(path, 200);
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0)
        throw Error("cannot stat " + what + ": " + std::strerror(errno));
    // A file a crash left without its final newline gets one, so the next
    // entry starts a line of its own.
    std::string start = st.st_size == 0 ? std::string(kHeader) : std::string();
    if (st.st_size > 0) {
        char last = '\n';
        if (::pread(fd_.get(), &last, 1, st.st_size - 1) == 1 && last != '\n')
            start = "\n";
    }
    if (!start.empty() &&
        ::write(fd_.get(), start.data(), start.size()) != static_cast<ssize_t>(start.size()))
        throw Error("cannot write " + what + ": " + std::strerror(errno));
}

SignatureCacheWriter::~SignatureCacheWriter()
{
    if (writable_)
        (void)::fsync(fd_.get());
}

void SignatureCacheWriter::append(const CachedSignature &entry)
{
    const std::string line = format_cache_line(entry);
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!writable_)
        throw Error("cannot add a signature to signature cache " + quoted_input(path_, 200) +
                    ": it cannot be written (" + why_not_writable_ +
                    "); make it writable or give another --signature-cache");
    if (::write(fd_.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        throw Error("cannot write signature cache " + quoted_input(path_, 200) + ": " +
                    std::strerror(errno) + "; free space or give another --signature-cache");
    if (++unsynced_ >= kSyncEvery) {
        (void)::fsync(fd_.get());
        unsynced_ = 0;
    }
}

} // namespace ostree_ima
