# SPDX-License-Identifier: MIT
# python3's ways of making processes, compared with a native run: subprocess.run and
# Popen with pipes, os.fork with os.waitpid, a child killed by a signal, and sqlite3 in
# WAL mode with two writer processes at once (multiprocessing.Process).
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys

done = subprocess.run(["echo", "from echo"], capture_output=True, text=True)
print("run", repr(done.stdout), done.returncode)
done = subprocess.run(["sh", "-c", "echo err >&2; exit 5"], capture_output=True, text=True)
print("run", repr(done.stderr), done.returncode)
try:
    subprocess.run(["/no/such/program"])
except FileNotFoundError as error:
    print("missing", error.errno)
print("check_output", subprocess.check_output("seq 1 5 | tac", shell=True, text=True).split())

sorter = subprocess.Popen(["sort", "-n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
out, _ = sorter.communicate("\n".join(str(n) for n in (5, 3, 9, 1)) + "\n")
print("popen", out.split(), sorter.returncode)
first = subprocess.Popen(["seq", "1", "1000"], stdout=subprocess.PIPE)
second = subprocess.Popen(["wc", "-l"], stdin=first.stdout, stdout=subprocess.PIPE, text=True)
first.stdout.close()
print("pipeline", second.communicate()[0].strip(), first.wait(), second.returncode)
sleeper = subprocess.Popen(["sleep", "1000"])
sleeper.terminate()
print("terminated", sleeper.wait())


def insert_rows(path, writer, count):
    db = sqlite3.connect(path, timeout=60)
    for i in range(count):
        with db:
            db.execute("insert into t values (?, ?)", (writer, i))
    db.close()


if __name__ == "__main__":
    pid = os.fork()
    if pid == 0:
        os._exit(42)
    waited, status = os.waitpid(pid, 0)
    print("fork", waited == pid, os.WIFEXITED(status), os.WEXITSTATUS(status))
    pid = os.fork()
    if pid == 0:
        os.kill(os.getpid(), signal.SIGTERM)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("fork killed", os.WIFSIGNALED(status), os.WTERMSIG(status))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.write(write_end, b"through a pipe")
        os._exit(0)
    os.close(write_end)
    print("fork pipe", os.read(read_end, 100))
    os.waitpid(pid, 0)

    db = sqlite3.connect("wal.db")
    print("journal", db.execute("pragma journal_mode=wal").fetchone()[0])
    db.execute("create table t (writer integer, n integer)")
    db.commit()
    writers = [multiprocessing.Process(target=insert_rows, args=("wal.db", w, 300)) for w in (1, 2)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    print("writers", [w.exitcode for w in writers])
    print("rows", db.execute("select writer, count(*), sum(n) from t group by writer").fetchall())
    db.close()
    os.remove("wal.db")  # its pages' order depends on how the writers interleaved
    sys.stdout.flush()
