#include "util/atomic_file.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace qf {

namespace {

// Big enough that a model is read in few system calls, small enough that a bar moves and
// Cancel answers within a fraction of a second.
constexpr size_t kChunk = size_t{4} << 20;

std::string fileName(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

}  // namespace

namespace {

// Where a write to `requested` lands: a symlink is followed to its target (so the link stays a
// link and the file it names is replaced), and only a regular file or a new name is written.
std::string writeTarget(const std::string& requested) {
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_status link = fs::symlink_status(requested, error);
    if (error || !fs::exists(link)) return requested;
    std::string target = requested;
    if (fs::is_symlink(link)) {
        const fs::path resolved = fs::weakly_canonical(requested, error);
        if (error)
            throw Error(requested + ": cannot follow the symbolic link (" + error.message() + ")");
        target = resolved.string();
    }
    const fs::file_status status = fs::status(target, error);
    if (!error && fs::exists(status) && !fs::is_regular_file(status))
        throw Error(
            requested +
            ": not a regular file (a directory, device or pipe); refusing to write over it");
    return target;
}

}  // namespace

void writeFileAtomically(const std::string& requested, const std::string& bytes,
                         const Progress& progress) {
    const std::string path = writeTarget(requested);
    const std::string temp = path + ".tmp-" + std::to_string(::getpid());
    const auto total = static_cast<long>(bytes.size());
    try {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
        for (size_t done = 0; done < bytes.size() && out; done += kChunk) {
            progress.throwIfCancelled();
            progress.step(static_cast<long>(done), total, "writing " + fileName(path));
            out.write(bytes.data() + done,
                      static_cast<std::streamsize>(std::min(kChunk, bytes.size() - done)));
        }
        out.flush();
        if (!out) throw Error(path + ": write failed (" + std::strerror(errno) + ")");
    } catch (...) {
        std::remove(temp.c_str());
        throw;
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        std::remove(temp.c_str());
        throw Error(path + ": cannot replace (" + reason + ")");
    }
    progress.step(total, total, "");
}

void requireRegularFile(const std::string& path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status)) throw Error(path + ": no such file");
    if (!std::filesystem::is_regular_file(status))
        throw Error(path + ": not a regular file (a directory, device or pipe)");
}

std::string readFile(const std::string& path, const Progress& progress) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) {  // not a regular file: read it in one go
        std::ostringstream buffer;
        buffer << in.rdbuf();
        return buffer.str();
    }
    std::string bytes(static_cast<size_t>(size), '\0');
    const auto total = static_cast<long>(size);
    size_t done = 0;
    while (done < bytes.size()) {
        progress.throwIfCancelled();
        progress.step(static_cast<long>(done), total, "reading " + fileName(path));
        in.read(bytes.data() + done,
                static_cast<std::streamsize>(std::min(kChunk, bytes.size() - done)));
        const auto got = static_cast<size_t>(in.gcount());
        if (got == 0) break;
        done += got;
    }
    if (in.bad()) throw Error(path + ": read failed (" + std::strerror(errno) + ")");
    bytes.resize(done);  // the file shrank while being read
    progress.step(total, total, "");
    return bytes;
}

void refuseToOverwriteInputs(const std::string& output, const std::vector<std::string>& inputs) {
    std::error_code error;
    for (const auto& input : inputs)
        if (!input.empty() && std::filesystem::exists(output, error) &&
            std::filesystem::equivalent(output, input, error))
            throw Error(output + ": refusing to write over one of this command's own input files");
}

}  // namespace qf
