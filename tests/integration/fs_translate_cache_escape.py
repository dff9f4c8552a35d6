# SPDX-License-Identifier: MIT
# Run by fs_translate_cache.sh under fs-translate only (a link to a host path means
# something else natively): links whose text is a host path, which the guest's namespace
# does not have. Made by the guest (d moved to d_old, d a link to d_old's host path) and
# by a forked child, the host would follow them to the very directory the cache knows, so
# only the generation the tree shares tells the cache that d changed. Then a cached
# directory and its cached parent swapped by a process outside for links to a directory
# outside the root that holds the same names. Every lookup through a link finds nothing.
import errno
import os
import stat
import sys

from fs_translate_cache_helpers import in_child, outside

outside_dir, host_t = sys.argv[1:]


def look(step):
    answers = []
    for path in ("/t/d/sub/f", "/t/d/sub"):
        try:  # a stat first: an open that meets a link on the host forgets the cache
            mode = os.stat(path).st_mode
            answers.append("directory" if stat.S_ISDIR(mode) else "file")
            answers.append(open(path + ("" if path.endswith("f") else "/f")).read().strip())
        except OSError as e:
            answers.append(errno.errorcode[e.errno])
    print(step, *answers)


def swap():
    os.rename("/t/d", "/t/d_old")
    os.symlink(host_t + "/d_old", "/t/d")


def back():
    os.unlink("/t/d")
    os.rename("/t/d_old", "/t/d")


look("start")
swap()
look("self: a link to a host path")
back()
look("self: back")
in_child(swap)
look("child: a link to a host path")
in_child(back)
look("child: back")
outside("mv d/sub d/sub_old && ln -s " + outside_dir + " d/sub", "/t")
look("outside: a link out")
outside("rm d/sub && mv d/sub_old d/sub && mv d d_old && ln -s " + outside_dir + " d", "/t")
look("outside: the parent a link out")
outside("exit", "/t")
