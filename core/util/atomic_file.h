#pragma once
#include <string>
#include <vector>

#include "util/progress.h"

namespace qf {

// Writes bytes to path through a temporary file in the same folder and a rename, so a reader
// never sees a partial file and a failed write leaves the old file as it was.
// writeFileAtomically follows a symlink to the file it names (the link stays) and refuses to
// replace anything but a regular file. Both report bytes done of the file's size and stop between
// chunks when cancelled (throwing Cancelled; a cancelled write leaves the old file as it was).
void writeFileAtomically(const std::string& path, const std::string& bytes,
                         const Progress& progress = {});
std::string readFile(const std::string& path,
                     const Progress& progress = {});  // throws qf::Error naming the file
// Throws unless `path` is a regular file (after following links): a model or table is never
// read from a pipe, a device or a directory, which could block or never end.
void requireRegularFile(const std::string& path);
// Throws when `output` is one of `inputs` (the same file through any link or spelling of the
// path): nothing ever writes over the files it read.
void refuseToOverwriteInputs(const std::string& output, const std::vector<std::string>& inputs);

}  // namespace qf
