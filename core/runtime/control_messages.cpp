// SPDX-License-Identifier: MIT
#include "control_messages.h"

#include <span>
#include <vector>

#include <cereal/types/string.hpp>
#include <cereal/types/variant.hpp>
#include <fmt/core.h>

#include "little_endian.h"
#include "portable_codec.h"
#include "stream_io.h"

namespace bsc::runtime {

template <class Archive> void serialize(Archive &archive, CaptureRequest &m) {
    archive(m.image, m.parent, m.leave_running, m.running);
}
template <class Archive> void serialize(Archive &archive, WatchSignalRequest &m) {
    archive(m.signal, m.capture);
}
template <class Archive> void serialize(Archive &archive, CaptureProgress &m) {
    archive(m.done, m.total);
}
template <class Archive> void serialize(Archive &archive, Captured &m) {
    archive(m.summary, m.frozen_ms);
}
template <class Archive> void serialize(Archive &, FreezeMemberRequest &) {}
template <class Archive> void serialize(Archive &archive, WriteMemberRequest &m) {
    archive(m.image);
}
template <class Archive> void serialize(Archive &archive, FinishMemberRequest &m) {
    archive(m.stop);
}
template <class Archive> void serialize(Archive &, Frozen &) {}
template <class Archive> void serialize(Archive &, Finished &) {}
template <class Archive> void serialize(Archive &archive, Watching &m) { archive(m.signal); }
template <class Archive> void serialize(Archive &archive, NotPermitted &m) { archive(m.owner); }
template <class Archive> void serialize(Archive &archive, Failed &m) { archive(m.reason); }

namespace {

constexpr size_t kHeaderSize = 8;           // length, protocol
constexpr uint32_t kMaxRecord = 64 << 10;   // paths and a one-line reason fit many times

template <class Message> bool send_frame(int fd, const Message &message) {
    std::vector<std::byte> record = snapshot::encode_record(message);
    if (record.size() > kMaxRecord)
        return false;
    std::vector<std::byte> frame(kHeaderSize);
    snapshot::put_le<uint32_t>(frame, 0, static_cast<uint32_t>(record.size()));
    snapshot::put_le<uint32_t>(frame, 4, kControlProtocol);
    frame.insert(frame.end(), record.begin(), record.end());
    return snapshot::send_all(fd, frame);
}

template <class Message> std::optional<Message> receive_frame(int fd) {
    std::byte header[kHeaderSize];
    size_t got;
    if (!snapshot::receive_all(fd, header, got)) {
        if (got == 0)
            return std::nullopt;
        throw ControlProtocolError("a cut frame header");
    }
    auto length = snapshot::get_le<uint32_t>(header, 0);
    auto protocol = snapshot::get_le<uint32_t>(header, 4);
    if (protocol != kControlProtocol)
        throw ControlProtocolError(fmt::format("control protocol {}; this runtime speaks {}",
                                               protocol, kControlProtocol));
    if (length > kMaxRecord)
        throw ControlProtocolError(fmt::format("a frame of {} bytes (at most {})", length,
                                               kMaxRecord));
    std::vector<std::byte> record(length);
    if (!snapshot::receive_all(fd, record, got))
        throw ControlProtocolError(fmt::format("a frame cut after {} of {} bytes", got, length));
    try {
        return snapshot::decode_record<Message>(record);
    } catch (const cereal::Exception &e) {
        throw ControlProtocolError(e.what());
    }
}

} // namespace

bool send_request(int fd, const ControlRequest &request) { return send_frame(fd, request); }
bool send_reply(int fd, const ControlReply &reply) { return send_frame(fd, reply); }

std::optional<ControlRequest> receive_request(int fd) {
    return receive_frame<ControlRequest>(fd);
}
std::optional<ControlReply> receive_reply(int fd) { return receive_frame<ControlReply>(fd); }

} // namespace bsc::runtime
