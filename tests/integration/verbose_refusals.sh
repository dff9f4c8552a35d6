#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A flag the LibOS refuses on purpose is named once with --verbose, with its call, however
# often the program asks: prctl's PR_SET_PTRACER and MFD_ALLOW_SEALING, twice each, refused
# with EINVAL; a socket's own ioctls (SIOCGIFCONF, SIOCGIFFLAGS), twice each, refused with
# ENOTTY and named once each, by number and kind of object; a host /proc file added to an
# epoll (its own poll: a mount table change), twice, refused with EPERM and named once; a
# pidfd's own request (PIDFD_GET_CGROUP_NAMESPACE), twice, refused with ENOTTY, named once.
source "$(dirname "$0")/lib.sh"
cat >"$work/refused.py" <<'PY'
import ctypes, fcntl, os, select, socket
libc = ctypes.CDLL(None, use_errno=True)

def set_ptracer():  # prctl(PR_SET_PTRACER, 0)
    if libc.prctl(0x59616d61, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")

mounts = os.open("/proc/self/mounts", os.O_RDONLY)
pidfd = os.pidfd_open(os.getpid())
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
SIOCGIFCONF, SIOCGIFFLAGS = 0x8912, 0x8913
for _ in range(2):
    for call in (set_ptracer,
                 lambda: os.memfd_create("x", os.MFD_ALLOW_SEALING),
                 lambda: fcntl.ioctl(s.fileno(), SIOCGIFCONF, bytes(16)),
                 lambda: fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, bytes(40)),
                 lambda: select.epoll().register(mounts, select.EPOLLPRI),
                 lambda: fcntl.ioctl(pidfd, 0xff01)):
        try:
            call()
            print("served")
        except OSError as error:
            print("refused", error.errno)
PY
(cd "$work" && "$bascule" run --verbose -- /usr/bin/python3 refused.py >out 2>err) ||
  fail "the guest ended with status $?: $(cat "$work/err")"
[[ $(grep -c "^refused 22$" "$work/out") -eq 4 ]] || fail "not refused with EINVAL: $(cat "$work/out")"
[[ $(grep -c "^refused 25$" "$work/out") -eq 6 ]] || fail "not refused with ENOTTY: $(cat "$work/out")"
[[ $(grep -c "^refused 1$" "$work/out") -eq 2 ]] || fail "not refused with EPERM: $(cat "$work/out")"
for message in "prctl: PR_SET_PTRACER is not supported" \
               "memfd_create: MFD_ALLOW_SEALING is not supported" \
               "ioctl: a socket's request (SIOC\*) 0x8912 (on a socket) is not supported" \
               "ioctl: a socket's request (SIOC\*) 0x8913 (on a socket) is not supported" \
               "epoll_ctl: a /proc or /sys file's own poll is not supported" \
               "ioctl: a pidfd's request (PIDFD_GET_\*) 0xff01 (on a pidfd) is not supported"; do
  count=$(grep -c "^bascule-libos: $message$" "$work/err" || true)
  [[ $count -eq 1 ]] || fail "'$message' said $count times: $(cat "$work/err")"
done
# Without --verbose nothing is said.
(cd "$work" && "$bascule" run -- /usr/bin/python3 refused.py >out 2>err) || fail "status $?"
[[ ! -s $work/err ]] || fail "refusals named without --verbose: $(cat "$work/err")"
echo "verbose_refusals: each refused flag named once, only with --verbose"
