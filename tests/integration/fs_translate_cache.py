# SPDX-License-Identifier: MIT
# Run by fs_translate_cache.sh, natively and under fs-translate: the same lookups of a
# file three directories down after each change to a directory on its way, made by this
# process, by a child it forks, or by a process outside (the script's helper, asked
# through a FIFO). fs-translate's cache of walked directories must never answer for a
# directory that is gone, moved or swapped for a link.
import errno
import os
import sys

from fs_translate_cache_helpers import in_child, outside

base = sys.argv[1]
os.chdir(base)


def look(step):
    """What the lookups give now, one line."""
    answers = []
    for call in (lambda: os.stat("d/sub/f").st_size,
                 lambda: os.lstat("d/sub").st_mode >> 12,
                 lambda: open("d/sub/f").read().strip(),
                 lambda: sorted(os.listdir("d/sub")),
                 lambda: os.path.exists("d/sub/f")):
        try:
            answers.append(repr(call()))
        except OSError as e:
            answers.append(errno.errorcode[e.errno])
    print(step, *answers)


look("start")
# This process.
os.rename("d", "d_old")
os.symlink("other", "d")
look("self: swapped for a link")
os.unlink("d")
os.mkdir("d")
look("self: removed and made again")
os.rmdir("d")
os.rename("d_old", "d")
look("self: back")
os.rename("d/sub", "d/sub_moved")
look("self: renamed")
os.rename("d/sub_moved", "d/sub")
look("self: renamed back")
# A child of this process (the cache was copied by the fork).
in_child(lambda: (os.rename("d", "d_old"), os.symlink("x", "d")))
look("child: swapped for a link")
in_child(lambda: (os.unlink("d"), os.rename("d_old", "d")))
look("child: back")
in_child(lambda: (os.rename("d/sub", "d/sub_old"), os.mkdir("d/sub")))
look("child: removed and made again")
in_child(lambda: (os.rmdir("d/sub"), os.rename("d/sub_old", "d/sub")))
look("child: back again")
# A process outside the guest.
outside("mv d/sub d/sub_old && ln -s ../x/sub d/sub")
look("outside: swapped for a link")
outside("rm d/sub && mkdir d/sub && echo four >d/sub/f")
look("outside: removed and made again")
outside("rm -r d/sub && mv d/sub_old d/sub")
look("outside: back")
outside("mv d d_moved && mkdir d")
look("outside: a parent renamed")
outside("rmdir d && mv d_moved d")
look("outside: back again")
outside("mv d/sub d/sub_old && mkdir d/sub && mv d/sub_old d/sub/sub")
look("outside: moved one level down")
outside("mv d/sub/sub d/sub_old && rm -r d/sub && mv d/sub_old d/sub")
look("outside: back at last")
outside("exit")
