# SPDX-License-Identifier: MIT
# Run by fs_translate_overlay.sh in the directory an overlay shows (argv[1]): creates,
# modifies, renames and deletes files and directories, tries what overlayfs refuses, and
# prints every answer and then the whole merged tree.
import os
import stat
import sys

from fs_translate_checks import attempt, read, write

top = sys.argv[1]
os.chdir(top)


attempt("listing before", lambda: sorted(os.listdir(".")))
attempt("create", lambda: write("created.txt", "created\n"))
attempt("append to lower", lambda: write("modify.txt", "appended\n", "a"))
attempt("overwrite lower", lambda: write("overwrite.txt", "overwritten\n"))
attempt("read modified", lambda: read("modify.txt"))
attempt("rename lower", lambda: os.rename("rename.txt", "renamed.txt"))
attempt("read renamed", lambda: read("renamed.txt"))
attempt("open renamed away", lambda: read("rename.txt"))
attempt("rename created", lambda: os.rename("created.txt", "created-renamed.txt"))
attempt("rename onto lower", lambda: os.rename("created-renamed.txt", "replace.txt"))
attempt("delete lower", lambda: os.unlink("delete.txt"))
attempt("open deleted", lambda: read("delete.txt"))
attempt("delete again", lambda: os.unlink("delete.txt"))
attempt("create and delete", lambda: (write("temporary.txt", "t"), os.unlink("temporary.txt"))[1])
attempt("rmdir merged non-empty", lambda: os.rmdir("sub"))
attempt("rename lower directory", lambda: os.rename("sub", "sub-renamed"))
attempt("delete in lower directory", lambda: os.unlink("gone/g.txt"))
attempt("rmdir emptied lower directory", lambda: os.rmdir("gone"))
attempt("mkdir over removed directory", lambda: os.mkdir("gone"))
attempt("listing of the new directory", lambda: sorted(os.listdir("gone")))
attempt("chmod lower", lambda: os.chmod("keep.txt", 0o600))
attempt("mode after chmod", lambda: oct(stat.S_IMODE(os.stat("keep.txt").st_mode)))


def fchmod_lower():
    fd = os.open("fchmod.txt", os.O_RDONLY)
    os.fchmod(fd, 0o640)
    os.close(fd)
    return oct(stat.S_IMODE(os.stat("fchmod.txt").st_mode))


attempt("fchmod through a lower descriptor", fchmod_lower)
attempt("create deep in lower", lambda: write("sub/deep/new.txt", "deep\n"))
attempt("symlink", lambda: os.symlink("keep.txt", "link"))
attempt("read through symlink", lambda: read("link"))
attempt("hard link to lower", lambda: os.link("sub/s.txt", "hard.txt"))
attempt("mkdir new", lambda: os.mkdir("newdir"))
attempt("rename new directory", lambda: os.rename("newdir", "newdir-renamed"))
attempt("unlink a directory", lambda: os.unlink("sub"))
attempt("rmdir a file", lambda: os.rmdir("keep.txt"))
attempt("exclusive create of lower", lambda: os.close(os.open("keep.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY)))
attempt("mkdir existing lower", lambda: os.mkdir("sub"))
attempt("whiteout name", lambda: read(".wh.delete.txt"))
attempt("scandir types", lambda: sorted((e.name, e.is_dir()) for e in os.scandir("sub")))

print("tree:")
for directory, subdirectories, files in os.walk("."):
    subdirectories.sort()
    for name in sorted(subdirectories + files):
        path = os.path.join(directory, name)
        info = os.lstat(path)
        kind = "link" if stat.S_ISLNK(info.st_mode) else "dir" if stat.S_ISDIR(info.st_mode) else "file"
        content = (os.readlink(path) if kind == "link" else
                   read(path).strip() if kind == "file" else "")
        print(path, kind, oct(stat.S_IMODE(info.st_mode)), content)
