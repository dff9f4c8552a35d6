# SPDX-License-Identifier: MIT
# Run in the guest's namespace by fs_translate_binds.sh: what read-only and read-write
# binds answer, one line per operation ("ok" or the errno's name).
import os

from fs_translate_checks import attempt, read, write



attempt("read ro", lambda: read("/ro/r.txt").strip())
attempt("write ro", lambda: write("/ro/r.txt", "x"))
attempt("append ro", lambda: write("/ro/r.txt", "x", "a"))
attempt("create ro", lambda: write("/ro/new", "x"))
attempt("excl ro", lambda: os.close(os.open("/ro/r.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY)))
attempt("creat-rdonly ro", lambda: os.close(os.open("/ro/r.txt", os.O_CREAT | os.O_RDONLY)))
attempt("trunc ro", lambda: os.close(os.open("/ro/r.txt", os.O_TRUNC | os.O_RDONLY)))
attempt("mkdir existing ro", lambda: os.mkdir("/ro/sub"))
attempt("mkdir ro", lambda: os.mkdir("/ro/newdir"))
attempt("unlink ro", lambda: os.unlink("/ro/r.txt"))
attempt("unlink missing ro", lambda: os.unlink("/ro/missing"))
attempt("rmdir ro", lambda: os.rmdir("/ro/sub"))
attempt("chmod ro", lambda: os.chmod("/ro/r.txt", 0o600))
attempt("chown ro", lambda: os.chown("/ro/r.txt", -1, -1))
attempt("utime ro", lambda: os.utime("/ro/r.txt"))
attempt("setxattr ro", lambda: os.setxattr("/ro/r.txt", "user.test", b"1"))
attempt("rename ro", lambda: os.rename("/ro/r.txt", "/ro/s.txt"))
attempt("rename into ro", lambda: os.rename("/data/d.txt", "/ro/d.txt"))
attempt("symlink ro", lambda: os.symlink("x", "/ro/l"))
attempt("symlink existing ro", lambda: os.symlink("x", "/ro/r.txt"))
attempt("link into ro", lambda: os.link("/data/d.txt", "/ro/h"))
attempt("link out of ro", lambda: os.link("/ro/r.txt", "/data/h"))
attempt("read nested ro", lambda: read("/data/inner/i.txt").strip())
attempt("write nested ro", lambda: write("/data/inner/i.txt", "x"))
attempt("rmdir mount point", lambda: os.rmdir("/data/inner"))
attempt("rename mount point", lambda: os.rename("/data/inner", "/data/moved"))
attempt("rename across binds", lambda: os.rename("/data/d.txt", "/d.txt"))
attempt("write file bind ro", lambda: write("/rofile", "x"))
attempt("read file bind ro", lambda: read("/rofile").strip())
attempt("create rw", lambda: write("/data/new.txt", "written"))
attempt("rename rw", lambda: os.rename("/data/new.txt", "/data/renamed.txt"))
attempt("mkdir rw", lambda: os.mkdir("/data/newdir"))
attempt("symlink rw", lambda: os.symlink("/marker", "/data/link"))
attempt("through link rw", lambda: read("/data/link").strip())
attempt("unlink rw", lambda: os.unlink("/data/d.txt"))
attempt("listdir rw", lambda: " ".join(sorted(os.listdir("/data"))))
