// SPDX-License-Identifier: MIT
// ABI status codes as Linux errno values: the LibOS, not the host, decides what the
// program sees.
#include <asm-generic/errno.h>

#include "kernel.h"

namespace libos {

int errno_for(bsc_status status) {
    switch (status) {
    case BSC_OK: return 0;
    case BSC_E_INVALID: return EINVAL;
    case BSC_E_NO_MEMORY: return ENOMEM;
    case BSC_E_NOT_FOUND: return ENOENT;
    case BSC_E_EXISTS: return EEXIST;
    case BSC_E_ACCESS: return EACCES;
    case BSC_E_NOT_PERMITTED: return EPERM;
    case BSC_E_BAD_HANDLE: return EBADF;
    case BSC_E_FAULT: return EFAULT;
    case BSC_E_AGAIN: return EAGAIN;
    case BSC_E_INTERRUPTED: return EINTR;
    case BSC_E_NOT_SUPPORTED: return EOPNOTSUPP;
    case BSC_E_IS_DIRECTORY: return EISDIR;
    case BSC_E_NOT_DIRECTORY: return ENOTDIR;
    case BSC_E_NOT_EMPTY: return ENOTEMPTY;
    case BSC_E_NO_SPACE: return ENOSPC;
    case BSC_E_BROKEN_PIPE: return EPIPE;
    case BSC_E_TIMED_OUT: return ETIMEDOUT;
    case BSC_E_TOO_BIG: return EFBIG;
    case BSC_E_BUSY: return EBUSY;
    case BSC_E_LOOP: return ELOOP;
    case BSC_E_NAME_TOO_LONG: return ENAMETOOLONG;
    case BSC_E_CROSS_DEVICE: return EXDEV;
    case BSC_E_READ_ONLY: return EROFS;
    case BSC_E_CONN_REFUSED: return ECONNREFUSED;
    case BSC_E_CONN_RESET: return ECONNRESET;
    case BSC_E_ADDR_IN_USE: return EADDRINUSE;
    case BSC_E_NOT_CONNECTED: return ENOTCONN;
    case BSC_E_DEADLOCK: return EDEADLK;
    case BSC_E_TOO_MANY: return EMFILE;
    case BSC_E_TEXT_BUSY: return ETXTBSY;
    case BSC_E_NOT_TTY: return ENOTTY;
    case BSC_E_NO_ATTRIBUTE: return ENODATA;
    case BSC_E_IN_PROGRESS: return EINPROGRESS;
    case BSC_E_ALREADY: return EALREADY;
    case BSC_E_IS_CONNECTED: return EISCONN;
    case BSC_E_ADDR_NOT_AVAILABLE: return EADDRNOTAVAIL;
    case BSC_E_DESTINATION_REQUIRED: return EDESTADDRREQ;
    case BSC_E_MESSAGE_TOO_BIG: return EMSGSIZE;
    case BSC_E_NET_UNREACHABLE: return ENETUNREACH;
    case BSC_E_HOST_UNREACHABLE: return EHOSTUNREACH;
    case BSC_E_CONN_ABORTED: return ECONNABORTED;
    case BSC_E_WRONG_TYPE: return EPROTOTYPE;
    case BSC_E_REMOVED: return EIDRM;
    case BSC_E_NO_MESSAGE: return ENOMSG;
    case BSC_E_OUT_OF_RANGE: return ERANGE;
    case BSC_E_TOO_LONG: return E2BIG;
    case BSC_E_NO_DEVICE: return ENODEV;
    case BSC_E_DEVICE_NOT_READY: return ENXIO;
    case BSC_E_NOT_BLOCK_DEVICE: return ENOTBLK;
    case BSC_E_OVERFLOW: return EOVERFLOW;
    case BSC_E_NOT_IMPLEMENTED: return ENOSYS;
    case BSC_E_NO_KEY: return ENOKEY;
    case BSC_E_KEY_EXPIRED: return EKEYEXPIRED;
    case BSC_E_KEY_REVOKED: return EKEYREVOKED;
    case BSC_E_KEY_REJECTED: return EKEYREJECTED;
    case BSC_E_QUOTA: return EDQUOT;
    case BSC_E_STALE: return ESTALE;
    default: return EIO;
    }
}

} // namespace libos
