// A short fuzz run without libFuzzer, for CI: the same targets (LLVMFuzzerTestOneInput), built by
// the ordinary compiler, so the sanitizer stage runs them under ASan + UBSan. Each seed file runs
// as it is, then random mutations of the seeds (bit flips, interesting bytes, cut, repeated and
// inserted chunks) run until the time is up. No coverage guidance: tools/fuzz.sh does the real,
// guided fuzzing with clang. A crash or an exception other than qf::Error aborts; the input
// that did it is written to fuzz-smoke-crash-<target> in the working directory first.
//
//   smoke_<target> SECONDS SEED_FILE...
#include <fcntl.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// What is running now, for the crash handler (which may only use async-signal-safe calls).
const std::string* current = nullptr;
char crashPath[256] = "fuzz-smoke-crash";

void writeCurrentInput() {
    if (!current) return;
    const int fd = ::open(crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    const char* data = current->data();
    size_t left = current->size();
    while (left > 0) {
        const ssize_t written = ::write(fd, data, left);
        if (written <= 0) break;
        data += written;
        left -= static_cast<size_t>(written);
    }
    ::close(fd);
}

void onCrash(int signal) {
    writeCurrentInput();
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

std::string readFile(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read seed %s\n", path);
        std::exit(2);
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string mutated(std::string bytes, std::mt19937& random) {
    static const uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '{', '}', '"', ':', '\n'};
    const auto below = [&random](size_t n) {
        return n == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, n - 1)(random);
    };
    const size_t edits = 1 + below(8);
    for (size_t e = 0; e < edits; ++e) {
        const size_t at = below(bytes.size() + 1);
        const size_t length = 1 + below(std::min<size_t>(64, bytes.size() + 1));
        switch (below(6)) {
            case 0:
                if (at < bytes.size()) bytes[at] = static_cast<char>(bytes[at] ^ (1 << below(8)));
                break;
            case 1:
                if (at < bytes.size())
                    bytes[at] = static_cast<char>(kInteresting[below(sizeof kInteresting)]);
                break;
            case 2:
                bytes.erase(std::min(at, bytes.size()), length);
                break;
            case 3:
                if (at < bytes.size()) bytes.insert(at, bytes.substr(at, length));
                break;
            case 4: {
                std::string random_bytes(length, '\0');
                for (auto& c : random_bytes) c = static_cast<char>(below(256));
                bytes.insert(std::min(at, bytes.size()), random_bytes);
                break;
            }
            default:
                bytes.resize(std::min(at, bytes.size()));
        }
    }
    return bytes;
}

void run(const std::string& input) {
    current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    current = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s SECONDS SEED_FILE...\n", argv[0]);
        return 2;
    }
    const std::string name = std::string(argv[0]).substr(std::string(argv[0]).rfind('/') + 1);
    std::snprintf(crashPath, sizeof crashPath, "fuzz-smoke-crash-%s", name.c_str());
#if defined(__SANITIZE_ADDRESS__)
    // The sanitizers report crashes themselves, then call this before dying.
    __sanitizer_set_death_callback(writeCurrentInput);
    std::signal(SIGABRT, onCrash);
#else
    for (const int signal : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL})
        std::signal(signal, onCrash);
#endif
    std::set_terminate([] {
        writeCurrentInput();
        std::fprintf(stderr, "an exception other than qf::Error escaped; input in %s\n", crashPath);
        std::abort();
    });

    const double seconds = std::atof(argv[1]);
    std::vector<std::string> seeds;
    for (int k = 2; k < argc; ++k) seeds.push_back(readFile(argv[k]));
    for (const auto& seed : seeds) run(seed);

    std::mt19937 random(20261202);
    const auto start = std::chrono::steady_clock::now();
    long executions = 0;
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
           seconds) {
        const std::string& seed = seeds[static_cast<size_t>(executions) % seeds.size()];
        run(mutated(seed, random));
        ++executions;
    }
    std::printf("%s: %zu seeds and %ld mutations in %.0f s, no crash\n", name.c_str(), seeds.size(),
                executions, seconds);
    return 0;
}
