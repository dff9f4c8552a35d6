// SPDX-License-Identifier: MIT
// The host's kernel key calls (ABI 1.24): key_add, key_request, key_control. The test
// thread first joins a new anonymous session keyring, so its keys go there and nothing of
// the caller's session is touched; strings and buffers are guest memory, as the calls want.
#include <cstring>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

// A string in guest memory at `offset` of `page`.
const char *put(GuestPage &page, uint64_t offset, const char *text) {
    std::memcpy(page.at<char>(offset), text, std::strlen(text) + 1);
    return page.at<const char>(offset);
}

// keyctl operation `operation` with `numbers` and no input or output: the result, or the
// negative status.
int64_t control(GuestPage &page, uint32_t operation, std::initializer_list<int64_t> numbers) {
    auto *c = page.at<bsc_key_control>(3072);
    *c = {};
    int i = 0;
    for (int64_t n : numbers)
        c->arguments[i++] = n;
    bsc_status status = host_key_control(operation, c, nullptr, 0, nullptr, 0);
    return status == BSC_OK ? c->result : status;
}

} // namespace

TEST_CASE("key_add, key_request and key_control", "[host][keys]") {
    host_ready();
    GuestPage page;
    REQUIRE(control(page, BSC_KEY_JOIN_SESSION_KEYRING, {0}) > 0);
    auto *serial = page.at<int32_t>(0);
    const char *user = put(page, 16, "user");
    const char *name = put(page, 32, "bascule:unit");
    const char *payload = put(page, 64, "abc");
    REQUIRE(host_key_add(user, name, payload, 3, -3 /* session */, serial) == BSC_OK);
    int32_t key = *serial;
    CHECK(key > 0);
    CHECK(host_key_add(put(page, 96, "bascule-no-type"), name, payload, 3, -3, serial) ==
          BSC_E_NO_DEVICE);
    CHECK(host_key_add(user, name, payload, 3, -3, static_cast<int32_t *>(kBadPointer)) ==
          BSC_E_FAULT);
    CHECK(host_key_request(user, name, nullptr, 0, serial) == BSC_OK);
    CHECK(*serial == key);
    CHECK(host_key_request(user, put(page, 128, "bascule:none"), nullptr, 0, serial) ==
          BSC_E_NO_KEY);

    // READ into the output buffer; too small a buffer gets nothing.
    auto *c = page.at<bsc_key_control>(3072);
    char *out = page.at<char>(2048);
    *c = {{key, 1, 0, 0}, 0, 0, 0};
    REQUIRE(host_key_control(BSC_KEY_READ, c, nullptr, 0, out, 64) == BSC_OK);
    CHECK(c->result == 3);
    CHECK(std::memcmp(out, "abc", 3) == 0);
    std::memset(out, 'x', 4);
    *c = {{key, 1, 0, 0}, 0, 0, 0};
    REQUIRE(host_key_control(BSC_KEY_READ, c, nullptr, 0, out, 2) == BSC_OK);
    CHECK(c->result == 3);
    CHECK(out[0] == 'x');

    // SEARCH takes its type and description from the input, in that order.
    char *input = page.at<char>(1024);
    std::memcpy(input, "user\0bascule:unit", 18);
    *c = {{-3, 1, 1, 0}, 0, 0, 0};
    CHECK(host_key_control(BSC_KEY_SEARCH, c, input, 18, nullptr, 0) == BSC_OK);
    CHECK(c->result == key);
    *c = {{-3, 1, 1, 0}, 0, 0, 0};
    CHECK(host_key_control(BSC_KEY_SEARCH, c, input, 4, nullptr, 0) == BSC_E_INVALID);

    // An unreadable payload is read only where the kernel reads it: after the authority.
    *c = {{key, 1, 1, 0}, 1, 0, 0};
    CHECK(host_key_control(BSC_KEY_INSTANTIATE, c, nullptr, 0, nullptr, 0) ==
          BSC_E_NOT_PERMITTED);
    REQUIRE(host_key_add(put(page, 160, "keyring"), put(page, 176, "bascule:ring"), nullptr, 0,
                         -3, serial) == BSC_OK);
    *c = {{*serial, 1, 1, 0}, 1, 0, 0}; // the type unreadable, the restriction in the input
    CHECK(host_key_control(BSC_KEY_RESTRICT_KEYRING, c, put(page, 192, "x"), 2, nullptr, 0) ==
          BSC_E_FAULT);

    CHECK(control(page, BSC_KEY_REVOKE, {key}) == 0);
    *c = {{key, 1, 0, 0}, 0, 0, 0};
    CHECK(host_key_control(BSC_KEY_READ, c, nullptr, 0, out, 64) == BSC_E_KEY_REVOKED);
    CHECK(control(page, 23 /* DH_COMPUTE */, {}) == BSC_E_NOT_SUPPORTED);
    *c = {{-3, 0, 0, 0}, 0, 1, 0};
    CHECK(host_key_control(BSC_KEY_GET_KEYRING_ID, c, nullptr, 0, nullptr, 0) == BSC_E_INVALID);
    CHECK(host_key_control(BSC_KEY_GET_KEYRING_ID, static_cast<bsc_key_control *>(kBadPointer),
                           nullptr, 0, nullptr, 0) == BSC_E_FAULT);
}
