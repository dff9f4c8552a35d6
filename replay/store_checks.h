// SPDX-License-Identifier: MIT
// What a content store remembers of the checks of its objects, so that a replay reads an
// object it has found whole before only if it may have changed since (python3's 10.8 MB
// took about 2 ms to read and hash on every replay).
//
// A check note, <store>/checked/<object's name>, holds what stat said of the object when
// it was found whole (device, inode, size, modification and change times) and the
// checksum it had. An object whose stat still says the same has not been written to: a
// write moves its times, and no one can set a change time. A note written within the
// tick of the object's change time proves nothing (the object may have changed again in
// that tick, leaving its times as they were), as with git's index: such an object is
// read again, and noted afresh. Only an object named as the store names them
// ("<checksum>-<length>", hex) gets a note, so that a trace naming any other file makes
// no directory beside it.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>

namespace bsc::replay {

// Where the note of `object` is (whether or not there is one).
std::filesystem::path check_note_path(const std::filesystem::path &object);

// Whether `object` is known to hold `length` bytes of this checksum: its note says so, and
// its stat is still the noted one.
bool known_whole(const std::filesystem::path &object, uint64_t length, uint64_t checksum);

// Notes that `object`, as `stat` showed it before it was read, was found whole with this
// checksum. Best effort: a store the replay cannot write to keeps no notes.
void note_whole(const std::filesystem::path &object, const struct stat &st, uint64_t checksum);

} // namespace bsc::replay
