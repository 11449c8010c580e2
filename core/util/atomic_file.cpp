#include "util/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace qf {

void writeFileAtomically(const std::string& path, const std::string& bytes) {
    const std::string temp = path + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            std::remove(temp.c_str());
            throw Error(path + ": write failed (" + std::strerror(errno) + ")");
        }
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        std::remove(temp.c_str());
        throw Error(path + ": cannot replace (" + reason + ")");
    }
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void refuseToOverwriteInputs(const std::string& output, const std::vector<std::string>& inputs) {
    std::error_code error;
    for (const auto& input : inputs)
        if (!input.empty() && std::filesystem::exists(output, error) &&
            std::filesystem::equivalent(output, input, error))
            throw Error(output + ": refusing to write over the model's own input file");
}

}  // namespace qf
