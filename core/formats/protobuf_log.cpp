#include "formats/protobuf_log.h"

#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <mutex>

namespace qf {
namespace {

thread_local ProtobufLogCapture* capture = nullptr;

void handleLog(google::protobuf::LogLevel level, const char* file, int line,
               const std::string& message) {
    if (capture && level != google::protobuf::LOGLEVEL_FATAL) {
        capture->keep(message);
        return;
    }
    static const char* const kLevels[] = {"INFO", "WARNING", "ERROR", "FATAL"};
    std::fprintf(stderr, "[libprotobuf %s %s:%d] %s\n", kLevels[level], file, line,
                 message.c_str());
}

}  // namespace

void ProtobufLogCapture::keep(const std::string& message) {
    if (!first_.empty()) return;
    const size_t end = message.find_last_not_of(" \n");
    first_ = message.substr(0, end == std::string::npos ? 0 : end + 1);
}

ProtobufLogCapture::ProtobufLogCapture() : outer_(capture) {
    static std::once_flag installed;
    std::call_once(installed, [] { google::protobuf::SetLogHandler(handleLog); });
    capture = this;
}

ProtobufLogCapture::~ProtobufLogCapture() { capture = outer_; }

std::string ProtobufLogCapture::suffix() const {
    return first_.empty() ? std::string() : " (protobuf: " + first_ + ")";
}

}  // namespace qf
