#include "evaluate/npy.h"

#include "util/atomic_file.h"
#include "util/error.h"

namespace qf {

void writeNpy(const std::string& path, const Tensor& tensor) {
    if (!tensor.isFloat()) throw Error(path + ": only float tensors are written as .npy");
    std::string shape = "(";
    for (const auto d : tensor.shape) shape += std::to_string(d) + ",";
    if (tensor.shape.size() > 1) shape.pop_back();
    shape += ")";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string bytes = "\x93NUMPY";
    bytes += '\x01';
    bytes += '\x00';
    bytes += static_cast<char>(header.size() & 0xff);
    bytes += static_cast<char>((header.size() >> 8) & 0xff);
    bytes += header;
    bytes.append(reinterpret_cast<const char*>(tensor.f.data()), tensor.f.size() * sizeof(float));
    writeFileAtomically(path, bytes);
}

}  // namespace qf
