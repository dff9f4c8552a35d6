// SPDX-License-Identifier: MIT
// The one translation from Linux errno values to the ABI's BSC_E_* status codes.
#include "errors.h"

#include <cerrno>

namespace bsc::host {

bsc_status status_from_errno(int error) {
    switch (error) {
    case 0:
        return BSC_OK;
    case EINVAL:
    case ESPIPE: // an offset on a stream that has none
    case ENOTBLK:
        return BSC_E_INVALID;
    case ENOMEM:
    case ENOBUFS:
        return BSC_E_NO_MEMORY;
    case ENOENT:
    case ENXIO: // a device node without its device, e.g. dev:tty with no terminal
    case ESRCH:
    case ECHILD:
        return BSC_E_NOT_FOUND;
    case EEXIST:
        return BSC_E_EXISTS;
    case EACCES:
        return BSC_E_ACCESS;
    case EPERM:
        return BSC_E_NOT_PERMITTED;
    case EBADF:
    case ENOTSOCK:
        return BSC_E_BAD_HANDLE;
    case EFAULT:
        return BSC_E_FAULT;
    case EAGAIN:
        return BSC_E_AGAIN;
    case EINPROGRESS:
        return BSC_E_IN_PROGRESS;
    case EALREADY:
        return BSC_E_ALREADY;
    case EISCONN:
        return BSC_E_IS_CONNECTED;
    case EADDRNOTAVAIL:
        return BSC_E_ADDR_NOT_AVAILABLE;
    case EDESTADDRREQ:
        return BSC_E_DESTINATION_REQUIRED;
    case EMSGSIZE:
        return BSC_E_MESSAGE_TOO_BIG;
    case ENETUNREACH:
    case ENETDOWN:
        return BSC_E_NET_UNREACHABLE;
    case EHOSTUNREACH:
    case EHOSTDOWN:
        return BSC_E_HOST_UNREACHABLE;
    case ECONNABORTED:
        return BSC_E_CONN_ABORTED;
    case EPROTOTYPE:
        return BSC_E_WRONG_TYPE;
    case EINTR:
    case ECANCELED:
        return BSC_E_INTERRUPTED;
    case ENOSYS:
    case EOPNOTSUPP: // == ENOTSUP on Linux
    case ENODEV:
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT:
    case ESOCKTNOSUPPORT:
    case ENOEXEC:
        return BSC_E_NOT_SUPPORTED;
    case EISDIR:
        return BSC_E_IS_DIRECTORY;
    case ENOTDIR:
        return BSC_E_NOT_DIRECTORY;
    case ENOTEMPTY:
        return BSC_E_NOT_EMPTY;
    case ENOSPC:
    case EDQUOT:
        return BSC_E_NO_SPACE;
    case EPIPE:
    case ESHUTDOWN:
        return BSC_E_BROKEN_PIPE;
    case ETIMEDOUT:
        return BSC_E_TIMED_OUT;
    case EFBIG:
    case ERANGE:
    case EOVERFLOW:
    case E2BIG:
        return BSC_E_TOO_BIG;
    case EBUSY:
        return BSC_E_BUSY;
    case ELOOP:
        return BSC_E_LOOP;
    case ENAMETOOLONG:
        return BSC_E_NAME_TOO_LONG;
    case EXDEV:
        return BSC_E_CROSS_DEVICE;
    case EROFS:
        return BSC_E_READ_ONLY;
    case ECONNREFUSED:
        return BSC_E_CONN_REFUSED;
    case ECONNRESET:
        return BSC_E_CONN_RESET;
    case EADDRINUSE:
        return BSC_E_ADDR_IN_USE;
    case ENOTCONN:
        return BSC_E_NOT_CONNECTED;
    case EDEADLK:
        return BSC_E_DEADLOCK;
    case EMFILE:
    case ENFILE:
    case EMLINK:
    case ENOLCK:
        return BSC_E_TOO_MANY;
    case ETXTBSY:
        return BSC_E_TEXT_BUSY;
    case ENOTTY:
        return BSC_E_NOT_TTY;
    case ENODATA:
        return BSC_E_NO_ATTRIBUTE;
    case EIDRM:
        return BSC_E_REMOVED;
    case ENOMSG:
        return BSC_E_NO_MESSAGE;
    case EIO:
    default:
        return BSC_E_IO;
    }
}

bsc_status device_status_from_errno(int error) {
    switch (error) {
    case ENODEV:
        return BSC_E_NO_DEVICE;
    case ENXIO:
        return BSC_E_DEVICE_NOT_READY;
    case ENOTBLK:
        return BSC_E_NOT_BLOCK_DEVICE;
    case EOVERFLOW:
        return BSC_E_OVERFLOW;
    case ENOSYS:
        return BSC_E_NOT_IMPLEMENTED;
    default:
        return status_from_errno(error);
    }
}

} // namespace bsc::host
