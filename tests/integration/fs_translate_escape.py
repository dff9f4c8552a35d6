# SPDX-License-Identifier: MIT
# Run in the guest's namespace by fs_translate_escape.sh with the host path of a file
# outside it: every way out (".." chains, links to / and upwards, links the guest makes,
# /proc/self/root, directory descriptors) stays inside. One line per attempt.
import os
import sys

from fs_translate_checks import attempt, read

secret = sys.argv[1]
root = sorted(os.listdir("/"))


def lists_root(path):
    return sorted(os.listdir(path)) == root


attempt("dotdot chain", lambda: lists_root("/../../../../../.."))
attempt("dotdot chain to secret", lambda: read("/../../../../../.." + secret).strip())
attempt("link upwards", lambda: lists_root("/up"))
attempt("link upwards to secret", lambda: read("/up" + secret).strip())
attempt("link to root", lambda: lists_root("/abs"))
attempt("link to root then dotdot", lambda: lists_root("/abs/.."))
attempt("link to a host path", lambda: read("/hostlink").strip())
attempt("relative link upwards", lambda: lists_root("/tmp/deep/rel"))
attempt("link upwards in a bind", lambda: lists_root("/data/esc"))
attempt("marker through a bind's link", lambda: read("/data/esc/marker").strip())
attempt("realpath of links", lambda: (os.path.realpath("/up"), os.path.realpath("/data/esc/tmp")))
attempt("proc self root link", lambda: os.readlink("/proc/self/root"))
attempt("proc self root", lambda: lists_root("/proc/self/root/"))


def chdir_up():
    os.chdir("/tmp")
    for _ in range(6):
        os.chdir("..")
    return os.getcwd(), lists_root(".")


attempt("chdir upwards", chdir_up)


def directory_descriptor_up():
    fd = os.open("/tmp/deep", os.O_RDONLY | os.O_DIRECTORY)
    up = os.open("../../../../..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    return sorted(os.listdir(up)) == root


attempt("dirfd upwards", directory_descriptor_up)


def made_link():
    os.symlink("../" * 30 + secret.lstrip("/"), "/tmp/made")
    return read("/tmp/made").strip()


attempt("guest-made link upwards", made_link)


def made_absolute_link():
    os.symlink(secret, "/tmp/made-absolute")
    return read("/tmp/made-absolute").strip()


attempt("guest-made link to a host path", made_absolute_link)


def loop():
    os.symlink("loop2", "/tmp/loop1")
    os.symlink("loop1", "/tmp/loop2")
    return read("/tmp/loop1").strip()


attempt("link loop", loop)
attempt("dangling create", lambda: (open("/tmp/dangle-create", "w").close(), read("/marker").strip())[1])
