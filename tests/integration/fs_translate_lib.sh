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
