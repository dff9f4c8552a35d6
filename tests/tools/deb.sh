#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package CPack builds: its fields, then its files unpacked (dpkg-deb -x) into a
# scratch directory run, capture and restore from there. It is never installed with dpkg -i
# here (that writes to /usr: deb_install.sh, on a machine that allows it). Arguments: the
# build directory, the project's version.
source "$(dirname "$0")/installed_lib.sh"

build_deb
dpkg-deb -I "$deb" >fields.txt
version=$2
for field in "Package: bascule" "Version: $version" "Architecture: amd64" "Maintainer: ." \
             "Description: ." "Depends: .*libc6"; do
  grep -q "^ $field" fields.txt || fail "no field '$field' in dpkg-deb -I: $(cat fields.txt)"
done
dpkg-deb -x "$deb" unpacked
[[ -x unpacked/usr/bin/bascule ]] || fail "no usr/bin/bascule in the package"
check_tree "$work/unpacked/usr"
echo "deb: $(basename "$deb") unpacked runs, captures, restores and replays"
