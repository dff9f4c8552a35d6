# SPDX-License-Identifier: MIT
# Sourced by the fs-translate tests and benchmarks: a root file system assembled from the
# host's programs, the same way everywhere.

# The host's top-level directories that hold programs and libraries: links on a merged
# /usr (copied into a root as links), real directories otherwise (bound).
host_root_names=(bin sbin lib lib32 lib64 libx32)

# host_root_make DIR: DIR with mount points for /usr, /etc, /tmp, /proc and /dev and the
# host's top-level links copied (or a mount point where the host has a directory).
host_root_make() {
  local root=$1 name
  mkdir -p "$root"/{usr,etc,tmp,proc,dev}
  for name in "${host_root_names[@]}"; do
    if [[ -L /$name ]]; then
      ln -s "$(readlink "/$name")" "$root/$name"
    elif [[ -d /$name ]]; then
      mkdir "$root/$name"
    fi
  done
}

# host_root_bound: the host directories a root made by host_root_make shows, one a line.
host_root_bound() {
  local name
  printf '%s\n' /usr /etc
  for name in "${host_root_names[@]}"; do
    if [[ -d /$name && ! -L /$name ]]; then echo "/$name"; fi
  done
}

# host_root_binds: fs-translate's options binding them read-only.
host_root_binds() {
  local binds="" directory
  while read -r directory; do
    binds+="${binds:+,}bind=$directory:$directory:ro"
  done < <(host_root_bound)
  echo "$binds"
}
