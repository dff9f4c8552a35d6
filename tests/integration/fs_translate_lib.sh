# SPDX-License-Identifier: MIT
# Shared by the fs-translate tests: a root file system assembled from the host's files.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../../extensions/fs-translate/host_root.sh"

# make_root DIR: a root made by host_root_make, with the mount points /data and /ro the
# tests bind over, and a marker file.
make_root() {
  host_root_make "$1"
  mkdir -p "$1"/{data,ro}
  echo "inside the root" >"$1/marker"
}

# root_binds: the bind options that show the host's programs and libraries, read-only.
root_binds() { host_root_binds; }

# in_root ROOT [EXTRA_OPTIONS] -- CMD...: runs CMD under bascule with ROOT as the guest's /.
in_root() {
  local root=$1 extra=""
  shift
  if [[ $1 != -- ]]; then
    extra=",$1"
    shift
  fi
  shift
  "$bascule" run --ext "fs-translate:root=$root,$(root_binds)$extra" -- "$@"
}

# can_mount: whether this may make mount namespaces and mount in them (root with unshare),
# for comparing with real bind mounts, chroots and overlayfs.
can_mount() { [[ $(id -u) == 0 ]] && unshare -m true 2>/dev/null; }

# native_in_root ROOT SETUP CMD...: runs CMD chrooted in ROOT in a new mount namespace,
# with the host's programs bound read-only where root_binds puts them, after the bash
# commands SETUP, which may call `bind_mount HOST_PATH PATH [ro]`.
native_in_root() {
  local root=$1 setup=$2
  shift 2
  unshare -m bash -ec "
    bind_mount() { mount --bind \"\$1\" \"\$2\"; [[ \${3:-} != ro ]] || mount -o remount,bind,ro \"\$2\"; }
    r=\$1; shift
    for directory in $(host_root_bound | tr '\n' ' '); do
      bind_mount \$directory \"\$r\$directory\" ro
    done
    $setup
    exec chroot \"\$r\" \"\$@\"" native "$root" "$@"
}

# copy_check ROOT SCRIPT: puts a test's Python script, and what it imports, in ROOT/tmp.
copy_check() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  cp "$2" "$1/tmp/check.py"
  cp "$here/fs_translate_checks.py" "$1/tmp/"
}
