# SPDX-License-Identifier: MIT
# python3 with a ThreadPoolExecutor captured mid-computation (programs/thread_pool.py:
# four threads inside their items, four items queued), the process gone, restored: it
# finishes as a native run does.
source "$(dirname "$0")/lib.sh"
cp "$(dirname "$0")/programs/thread_pool.py" pool.py
capture_before_go pool.py waiting pool.img
"$snap" inspect pool.img | grep -c "^threads (5)" >/dev/null || fail "the image holds not 5 threads"
touch go
restore_guest pool.img
same run.out native.out
echo "thread_pool: a ThreadPoolExecutor captured mid-computation finishes as natively"
