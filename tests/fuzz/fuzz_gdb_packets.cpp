// SPDX-License-Identifier: MIT
// libFuzzer target: whatever bytes a debugger's connection brings, in whatever pieces, the
// packet decoder splits them without a crash, keeps no packet longer than its limit, and a
// packet it took, encoded again, decodes to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "remote_packets.h"

using namespace bsc::gdb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    // The first byte chooses the size of the pieces the rest arrives in.
    size_t piece = data[0] % 64 + 1;
    std::string_view bytes(reinterpret_cast<const char *>(data + 1), size - 1);
    PacketDecoder decoder;
    for (size_t at = 0; at < bytes.size(); at += piece)
        for (const auto &item : decoder.feed(bytes.substr(at, piece))) {
            const auto *packet = std::get_if<Packet>(&item);
            if (!packet)
                continue;
            if (packet->data.size() > kMaxPacketData)
                std::abort();
            auto again = PacketDecoder().feed(encode_packet(packet->data));
            if (again.size() != 1 || again[0] != item)
                std::abort();
        }
    return 0;
}
