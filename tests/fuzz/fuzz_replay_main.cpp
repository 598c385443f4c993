// Replays files through a fuzz target's LLVMFuzzerTestOneInput without
// libFuzzer, so that the corpus and every crasher once found keep passing in
// the normal (g++) build. Arguments: the seed corpus directory, which must
// hold inputs (a replay of nothing would pass with nothing checked), then
// more files or directories (recursed; a missing one is skipped: not every
// target has regressions/).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

void replay(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    // A copy of exactly `size` bytes, as libFuzzer gives: ASan sees overreads.
    const std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
    std::cerr << "replay: " << file.string() << " (" << data.size() << " bytes)\n";
    static const std::uint8_t empty = 0; // libFuzzer never passes a null pointer
    LLVMFuzzerTestOneInput(data.empty() ? &empty : data.data(), data.size());
}

} // namespace

int main(int argc, char **argv)
{
    std::size_t count = 0;
    if (argc < 2 || !std::filesystem::is_directory(argv[1]) || std::filesystem::is_empty(argv[1])) {
        std::cerr << "replay: no seed corpus at " << (argc < 2 ? "(none given)" : argv[1])
                  << ": nothing would be checked\n";
        return 1;
    }
    try {
        for (int i = 1; i < argc; ++i) {
            const std::filesystem::path arg(argv[i]);
            if (std::filesystem::is_directory(arg)) {
                std::vector<std::filesystem::path> files;
                for (const auto &entry : std::filesystem::recursive_directory_iterator(arg))
                    if (entry.is_regular_file())
                        files.push_back(entry.path());
                std::sort(files.begin(), files.end()); // stable output order
                for (const auto &f : files) {
                    replay(f);
                    ++count;
                }
            } else if (std::filesystem::exists(arg)) {
                replay(arg);
                ++count;
            }
        }
    } catch (const std::exception &e) {
        std::cerr << "replay: " << e.what() << "\n";
        return 1;
    }
    std::cout << "replayed " << count << " inputs\n";
    return 0;
}
