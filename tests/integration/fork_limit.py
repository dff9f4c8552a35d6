# SPDX-License-Identifier: MIT
# Forks children that wait on a pipe until fork fails (the runner limits the processes it
# may have), then releases and reaps them all and forks once more: what a native run
# prints, whatever the count was.
import errno
import os

release_read, release_write = os.pipe()
children = []
try:
    while len(children) < 1000:
        pid = os.fork()
        if pid == 0:
            os.close(release_write)
            os.read(release_read, 1)
            os._exit(0)
        children.append(pid)
    print("fork never failed")
except OSError as error:
    print("fork failed with", errno.errorcode[error.errno])
os.close(release_write)
exited = sum(os.waitpid(pid, 0)[1] == 0 for pid in children)
print("children made:", "some" if children else "none", "- all exited:", exited == len(children))
pid = os.fork()
if pid == 0:
    os._exit(7)
print("fork after the reap: exit code", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
