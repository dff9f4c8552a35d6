# SPDX-License-Identifier: MIT
# Bash completion for bascule, bascule-snap and bascule-replay: subcommands, their
# options, paths, the pids `bascule-snap capture` can reach, and extension specs after
# --ext, whose names and keys come from `bascule exts`, so that extensions on
# BASCULE_EXT_PATH complete too. Needs nothing but bash (no bash-completion helpers).
# tests/tools/completion.sh checks the tables below against each tool's --help.

# The subcommands of each tool.
declare -gA _bascule_subcommands=(
  [bascule]="run exts host"
  [bascule-snap]="capture restore receive inspect diff verify"
  [bascule-replay]="record replay dump stats verify pack"
)

# The options of each tool (before a subcommand) and of each "TOOL SUBCOMMAND".
declare -gA _bascule_options=(
  [bascule]="-h --help --version"
  [bascule run]="-h --help --ext --manifest -v --verbose --strace --syscall-path --libos
    --argv0 --working-directory"
  [bascule exts]="-h --help --json"
  [bascule host]="-h --help --json"
  [bascule-snap]="-h --help --version"
  [bascule-snap capture]="-h --help -o --output --to --parent --pre-copy --leave-running
    --stats"
  [bascule-snap restore]="-h --help --from --ext --allow-changed-files --lazy -v --verbose
    --stats"
  [bascule-snap receive]="-h --help --listen -o --output"
  [bascule-snap inspect]="-h --help --json"
  [bascule-snap diff]="-h --help --json"
  [bascule-snap verify]="-h --help"
  [bascule-replay]="-h --help --version"
  [bascule-replay record]="-h --help -o --output --ext --content-store"
  [bascule-replay replay]="-h --help --quiet --to --capture --from --gdb --gdb-stdio
    --stop-at --allow-divergence --checkpoint-every"
  [bascule-replay dump]="-h --help --json --from --to --thread"
  [bascule-replay stats]="-h --help --json"
  [bascule-replay verify]="-h --help"
  [bascule-replay pack]="-h --help -o --output"
)

# What follows an option that takes an argument, by "TOOL SUBCOMMAND OPTION": file, dir,
# ext (an extension spec), text (nothing to offer), or the words it may be.
declare -gA _bascule_arguments=(
  [bascule run --ext]=ext
  [bascule run --manifest]=file
  [bascule run --syscall-path]="patch trap"
  [bascule run --libos]=file
  [bascule run --argv0]=text
  [bascule run --working-directory]=dir
  [bascule-snap capture -o]=file
  [bascule-snap capture --output]=file
  [bascule-snap capture --to]=text
  [bascule-snap capture --parent]=file
  [bascule-snap restore --from]=text
  [bascule-snap restore --ext]=ext
  [bascule-snap receive --listen]=text
  [bascule-snap receive -o]=file
  [bascule-snap receive --output]=file
  [bascule-replay record -o]=file
  [bascule-replay record --output]=file
  [bascule-replay record --ext]=ext
  [bascule-replay record --content-store]=dir
  [bascule-replay replay --to]=text
  [bascule-replay replay --capture]=file
  [bascule-replay replay --from]=file
  [bascule-replay replay --gdb]=text
  [bascule-replay replay --stop-at]=text
  [bascule-replay replay --checkpoint-every]=text
  [bascule-replay dump --from]=text
  [bascule-replay dump --to]=text
  [bascule-replay dump --thread]=text
  [bascule-replay pack -o]=file
  [bascule-replay pack --output]=file
)

# What a word that is no option is, by "TOOL SUBCOMMAND": a program (its arguments come
# after --), the pid of a runtime, or a file (an image, a trace); nothing if absent.
declare -gA _bascule_positionals=(
  [bascule run]=program
  [bascule-snap capture]=pid
  [bascule-snap restore]=file
  [bascule-snap inspect]=file
  [bascule-snap diff]=file
  [bascule-snap verify]=file
  [bascule-replay record]=program
  [bascule-replay replay]=file
  [bascule-replay dump]=file
  [bascule-replay stats]=file
  [bascule-replay verify]=file
  [bascule-replay pack]=file
)

# Bash splits a word at ':' and '=' (COMP_WORDBREAKS): "trace:file=x" is five words. Puts
# COMP_WORDS into `words` with those pieces joined again, and the index of the word being
# completed into `cword`.
_bascule_join_words() {
  local i glue=0
  words=() cword=0
  for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
    if ((i > 0)) && { ((glue)) || [[ ${COMP_WORDS[i]} =~ ^[:=]+$ ]]; }; then
      words[-1]+=${COMP_WORDS[i]}
    else
      words+=("${COMP_WORDS[i]}")
    fi
    [[ ${COMP_WORDS[i]} =~ ^[:=]+$ ]] && glue=1 || glue=0
    ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
  done
}

# The `bascule` to ask for extensions: the one being completed, or the one beside the tool
# being completed, else the one on PATH.
_bascule_runtime() {
  local tool=${words[0]/#\~/$HOME}
  if [[ $tool == */* && -x ${tool%/*}/bascule ]]; then
    printf '%s\n' "${tool%/*}/bascule"
  else
    printf '%s\n' bascule
  fi
}

# An extension spec, NAME[:KEY=VALUE,...]: the names and keys `bascule exts` lists (a
# repeatable key's "+" dropped; the name taken from the file, as --ext takes it), a
# file after "=" (most values are paths).
_bascule_extension_spec() {
  local cur=$1 listing
  listing=$("$(_bascule_runtime)" exts 2>/dev/null | awk '
    /^    file: / { name = $2; sub(/.*\/bascule-ext-/, "", name); sub(/\.so$/, "", name); print name }
    /^    option / { key = $2; sub(/\+?:$/, "", key); print name " " key }')
  if [[ $cur != *:* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(awk 'NF == 1' <<<"$listing")" -- "$cur")
    return
  fi
  # The option being written is after the last comma (values hold ':' and '=' too).
  local name=${cur%%:*} last=${cur#*:}
  last=${last##*,}
  local written=${cur:0:${#cur}-${#last}}
  if [[ $last == *=* ]]; then
    local value=${cur##*[=:]}
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$value")
    COMPREPLY=("${COMPREPLY[@]/#/${cur:0:${#cur}-${#value}}}")
    return
  fi
  compopt -o nospace 2>/dev/null
  mapfile -t COMPREPLY < <(compgen -P "$written" -S = -W \
    "$(awk -v n="$name" '$1 == n && NF == 2 { print $2 }' <<<"$listing")" -- "$last")
}

# The pids whose runtime listens on a control socket of this user's (what capture reaches).
_bascule_pids() {
  local socket pid
  for socket in /tmp/bascule-"$UID"/*.sock; do
    pid=${socket##*/} pid=${pid%.sock}
    [[ -d /proc/$pid ]] && printf '%s\n' "$pid"
  done
}

# Completes `kind` (an _bascule_arguments or _bascule_positionals value) for `cur`. Every
# list is read one candidate a line (mapfile), as a file name may hold blanks.
_bascule_complete_kind() {
  local kind=$1 cur=$2
  case $kind in
    file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    dir) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    ext) _bascule_extension_spec "$cur" ;;
    program) mapfile -t COMPREPLY < <(compgen -c -- "$cur") ;;
    pid) mapfile -t COMPREPLY < <(compgen -W "$(_bascule_pids)" -- "$cur") ;;
    text) COMPREPLY=() ;;
    *) mapfile -t COMPREPLY < <(compgen -W "$kind" -- "$cur") ;;
  esac
}

# One completion function for the three tools: their tables differ, not the logic.
_bascule() {
  local words cword tool=${COMP_WORDS[0]##*/} sub="" program=0 i
  _bascule_join_words
  local cur=${words[cword]} prev=${words[cword - 1]}
  COMPREPLY=()
  for ((i = 1; i < cword; i++)); do
    if [[ -z $sub && " ${_bascule_subcommands[$tool]-} " == *" ${words[i]} "* ]]; then
      sub=${words[i]}
    elif [[ -n $sub && ${words[i]} == -- ]]; then
      program=$i
      break
    fi
  done

  if [[ -z $sub ]]; then
    if [[ $cur == -* ]]; then
      mapfile -t COMPREPLY < <(compgen -W "${_bascule_options[$tool]-}" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "${_bascule_subcommands[$tool]-}" -- "$cur")
    fi
  elif ((program)); then # the program, then its arguments
    if ((cword == program + 1)) && [[ $cur != */* ]]; then
      _bascule_complete_kind program "$cur"
    else
      _bascule_complete_kind file "$cur"
    fi
  elif [[ $cur == -*=* && -n ${_bascule_arguments[$tool $sub ${cur%%=*}]+set} ]]; then
    _bascule_complete_kind "${_bascule_arguments[$tool $sub ${cur%%=*}]}" "${cur#*=}"
    COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
  elif [[ -n ${_bascule_arguments[$tool $sub $prev]+set} ]]; then
    _bascule_complete_kind "${_bascule_arguments[$tool $sub $prev]}" "$cur"
  elif [[ $cur == -* ]]; then
    local options=${_bascule_options[$tool $sub]-}
    [[ ${_bascule_positionals[$tool $sub]-} == program ]] && options+=" --"
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  elif [[ -n ${_bascule_positionals[$tool $sub]-} ]]; then
    _bascule_complete_kind "${_bascule_positionals[$tool $sub]-}" "$cur"
  fi

  # What readline replaces is the text after the last word break in the word, not the
  # word joined again: drop what comes before it.
  local at
  for ((at = ${#cur} - 1; at >= 0; at--)); do
    [[ ${cur:at:1} == [:=] && $COMP_WORDBREAKS == *"${cur:at:1}"* ]] && break
  done
  if ((at >= 0)); then
    for i in "${!COMPREPLY[@]}"; do
      COMPREPLY[i]=${COMPREPLY[i]:at+1}
    done
  fi
}

complete -F _bascule bascule bascule-snap bascule-replay
