# SPDX-License-Identifier: MIT
# Shared by the fs-translate tests: a root file system assembled from the host's files.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# make_root DIR: an empty root with the host's top-level links (bin -> usr/bin on a merged
# /usr) copied and mount points for the binds root_binds names, plus a marker file.
make_root() {
  local root=$1 name
  mkdir -p "$root"/{usr,etc,tmp,proc,dev,data,ro}
  for name in bin sbin lib lib32 lib64 libx32; do
    if [[ -L /$name ]]; then
      ln -s "$(readlink "/$name")" "$root/$name"
    elif [[ -d /$name ]]; then
      mkdir "$root/$name"
    fi
  done
  echo "inside the root" >"$root/marker"
}

# root_binds: the bind options that show the host's programs and libraries, read-only.
root_binds() {
  local binds="bind=/usr:/usr:ro,bind=/etc:/etc:ro" name
  for name in bin sbin lib lib32 lib64 libx32; do
    [[ -d /$name && ! -L /$name ]] && binds+=",bind=/$name:/$name:ro"
  done
  echo "$binds"
}

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
    bind_mount /usr \"\$r/usr\" ro; bind_mount /etc \"\$r/etc\" ro
    for name in bin sbin lib lib32 lib64 libx32; do
      if [[ -d /\$name && ! -L /\$name ]]; then bind_mount /\$name \"\$r/\$name\" ro; fi
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
