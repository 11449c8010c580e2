#pragma once
// Protobuf reports some parse problems (a string field holding invalid UTF-8, a message nested
// too deep) through its log, which prints "[libprotobuf ERROR ...]" on stderr naming none of our
// files, before our own error. While a ProtobufLogCapture lives, such messages from the calling
// thread are kept instead, for the error that names the file; elsewhere they are printed as
// protobuf prints them.
#include <string>

namespace qf {

class ProtobufLogCapture {
public:
    ProtobufLogCapture();
    ~ProtobufLogCapture();
    ProtobufLogCapture(const ProtobufLogCapture&) = delete;
    ProtobufLogCapture& operator=(const ProtobufLogCapture&) = delete;

    // " (protobuf: <first message>)", or empty when protobuf said nothing.
    std::string suffix() const;
    // Called by the log handler.
    void keep(const std::string& message);

private:
    ProtobufLogCapture* outer_;
    std::string first_;
};

}  // namespace qf
