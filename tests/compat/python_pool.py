# SPDX-License-Identifier: MIT
# multiprocessing.Pool(2): map, imap_unordered (sorted), apply_async, then the pool's
# close and join, and a second pool ended by terminate, compared with a native run.
import multiprocessing


def square(n):
    return n * n


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print("map", pool.map(square, range(10)))
        print("imap", sorted(pool.imap_unordered(square, range(20), chunksize=3)))
        print("apply", pool.apply_async(square, (12,)).get())
    pool = multiprocessing.Pool(2)
    print("map", pool.map(square, range(5)))
    pool.close()
    pool.join()
    print("closed and joined")
