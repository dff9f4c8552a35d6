# SPDX-License-Identifier: MIT
# What the fs-translate test scripts share: one line per attempt ("ok", its result, or the
# errno's name), and reading and writing whole files.
import errno


def attempt(name, action):
    try:
        result = action()
        print(name, "ok" if result is None else result)
    except OSError as e:
        print(name, errno.errorcode[e.errno])


def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()
