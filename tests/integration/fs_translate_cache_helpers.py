# SPDX-License-Identifier: MIT
# What fs_translate_cache.py and fs_translate_cache_escape.py share: changes made by a
# forked child, and by the helper outside the guest that fs_translate_cache.sh runs.
import os


def outside(command, folder="."):
    """Asks the helper outside the guest to run one shell command in FOLDER (the tree it
    was started on, through its FIFOs there), and waits for it to finish."""
    with open(os.path.join(folder, "request"), "w") as request:
        request.write(command + "\n")
    with open(os.path.join(folder, "done")) as done:
        done.read()


def in_child(change):
    """Makes the change in a forked child and waits for it."""
    pid = os.fork()
    if pid == 0:
        try:
            change()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
