#!/usr/bin/env bash
# The bash completion (tools/completions/fohctl.bash) offers fohctl's
# commands, the objects and channels fohd has, and an object's properties
# and methods — checked against what busctl introspects, not against fohctl.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_SRCDIR/tools/fohctl/completions/fohctl.bash"

printf '[daemon]\nchannels = 2\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"

# complete WORD...: COMPREPLY for the command line "fohctl WORD...", the
# last word being the one under the cursor; sorted, one line.
complete_line() {
  COMP_WORDS=("$FOHCTL" "$@")
  COMP_CWORD=$#
  COMPREPLY=()
  _fohctl
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() {
  local want=$1; shift
  local got
  got=$(complete_line "$@")
  [ "$got" = "$want" ] || fail "completing 'fohctl $*': got '$got', want '$want'"
}

# busctl's view of a member list: introspect PATH's INTERFACE, keep KIND
# (property, method) rows, optionally writable ones only, named PREFIX*.
introspected() {
  local path=$1 iface=$2 kind=$3 prefix=$4 writable=${5:-}
  busctl --user introspect org.foh.Foh1 "$path" "org.foh.Foh1.$iface" \
    | awk -v k="$kind" -v p="$prefix" -v w="$writable" '
        $1 ~ /^\.[A-Za-z]/ && $2 == k && index($1, "." p) == 1 &&
        (w == "" || $NF == "writable") { print substr($1, 2) }' | sort | tr '\n' ' ' | sed 's/ $//'
}

expect "self-check set stabilizer status" s
expect "--help --json --version" --
expect "--count --help --json --once" meters --
expect "channel/1 channel/2" get ch
expect "1 2" channel ''
want=$(introspected /org/foh/Foh1/channel/2 Channel property Comp)
[ -n "$want" ] || fail "busctl shows no Comp* properties"
expect "$want" channel 2 Comp
expect "$(introspected /org/foh/Foh1/channel/1 Channel property Gate writable)" set channel/1 Gate
expect "$(introspected /org/foh/Foh1 Manager method '')" call manager ''
expect "$(introspected /org/foh/Foh1/analyzer Analyzer property Str)" get analyzer Str
echo "ok: bash completion"
