// SPDX-License-Identifier: MIT
// Work on several cores: results consumed in order whatever thread produced them, slots
// never overwritten before they are consumed, and the first failure stops the rest.
#include <atomic>
#include <stdexcept>
#include <thread>

#include "parallel.h"
#include "snapshot_fixtures.h"

using namespace snapshot_test;

TEST_CASE("parallel: results are consumed in order, each slot only once consumed",
          "[snapshot]") {
    for (unsigned threads : {1u, 2u, 7u}) {
        for (size_t slots : {size_t{1}, size_t{3}, size_t{16}}) {
            INFO(threads << " threads, " << slots << " slots");
            std::vector<size_t> in_slot(slots, SIZE_MAX), consumed;
            std::atomic<bool> overwritten = false;
            auto produce = [&](size_t index, size_t slot) {
                if (in_slot[slot] != SIZE_MAX)
                    overwritten = true;
                std::this_thread::yield(); // let others finish first
                in_slot[slot] = index;
            };
            auto consume = [&](size_t index, size_t slot) {
                consumed.push_back(in_slot[slot]);
                CHECK(in_slot[slot] == index);
                in_slot[slot] = SIZE_MAX;
            };
            ordered_parallel(500, threads, slots, produce, consume);
            CHECK_FALSE(overwritten);
            REQUIRE(consumed.size() == 500);
            for (size_t i = 0; i < consumed.size(); i++)
                CHECK(consumed[i] == i);
        }
    }
}

TEST_CASE("parallel: the first failure is rethrown, and the rest stops", "[snapshot]") {
    std::atomic<size_t> produced = 0;
    size_t consumed = 0;
    auto produce = [&](size_t index, size_t) {
        produced++;
        if (index == 100)
            throw std::runtime_error("produce 100");
    };
    auto consume = [&](size_t index, size_t) {
        consumed++;
        if (index == 50)
            throw std::runtime_error("consume 50");
    };
    SECTION("from a producer") {
        CHECK_THROWS_WITH(ordered_parallel(10000, 2, 4, produce, [](size_t, size_t) {}),
                          "produce 100");
        CHECK(produced < 10000);
    }
    SECTION("from the consumer") {
        CHECK_THROWS_WITH(ordered_parallel(10000, 2, 4, [](size_t, size_t) {}, consume),
                          "consume 50");
        CHECK(consumed == 51);
    }
    SECTION("nothing to do") {
        ordered_parallel(0, 2, 4, produce, consume);
        CHECK(produced + consumed == 0);
    }
}
