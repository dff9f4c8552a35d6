#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package installed for real (apt-get install of the .deb: dpkg -i with its
# dependencies from the archive), run, captured, restored and replayed from /usr, its
# manual pages in place, then purged. It writes to /usr, so ctest has it only where
# BASCULE_SYSTEM_TESTS was set when the build was configured (.ci/run: a fresh machine, as
# root), and it refuses a machine that already has a bascule package. Argument: the build
# directory.
source "$(dirname "$0")/installed_lib.sh"

((EUID == 0)) || fail "installing a package needs root"
if dpkg-query -W -f '${Status}' bascule 2>/dev/null | grep -q installed; then
  fail "a bascule package is installed already: this test would replace it"
fi
build_deb
trap 'apt-get purge -y bascule >/dev/null 2>&1' EXIT
apt-get install -y "$deb" >apt.log 2>&1 || fail "apt-get install $deb: $(tail -5 apt.log)"
[[ $(dpkg-query -W -f '${Status}' bascule) == "install ok installed" ]] || fail "dpkg says $(dpkg-query -W -f '${Status}' bascule)"
check_tree /usr
dpkg -L bascule >files.txt
for page in man1/bascule.1 man1/bascule-snap.1 man1/bascule-replay.1 man7/bascule-extensions.7; do
  grep -q "^/usr/share/man/$page" files.txt || fail "the package installed no $page"
done
echo "deb_install: $(basename "$deb") installed, runs, captures, restores, replays from /usr"
