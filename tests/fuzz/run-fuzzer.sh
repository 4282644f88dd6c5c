#!/usr/bin/env bash
# run-fuzzer.sh: runs one libFuzzer target of tests/fuzz for meson.
#
#   run-fuzzer.sh test  NAME EXE CORPUS DICT RUNS    ARTIFACTS
#       the seeds in CORPUS, then RUNS mutations with -seed=1; exit status
#       is the target's (a crash, a leak or a broken invariant fails)
#   run-fuzzer.sh bench NAME EXE CORPUS DICT SECONDS ARTIFACTS
#       fuzz for SECONDS and print
#       BENCH fuzz target=NAME execs_per_s=X cov=Y ft=Z corpus=N runs=R
#
# New inputs go to a scratch corpus, never into the tree's CORPUS. Crash
# inputs are written to ARTIFACTS/ as NAME-crash-<sha1> etc. The targets' temp
# files go under TMPDIR (default /dev/shm when writable: the config target
# saves with fsync on every run).
set -eu

mode=$1 name=$2 exe=$3 corpus=$4 dict=$5 amount=$6 artifacts=$7

if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/foh-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/tmp"

args=(-seed=1 -error_exitcode=1 -timeout=10 -rss_limit_mb=2048 "-artifact_prefix=$artifacts/$name-")
[ -f "$dict" ] && args+=("-dict=$dict")

case "$mode" in
  test)
    TMPDIR=$work/tmp "$exe" "${args[@]}" -runs="$amount" "$work/corpus" "$corpus"
    ;;
  bench)
    rc=0
    TMPDIR=$work/tmp "$exe" "${args[@]}" -max_total_time="$amount" -print_final_stats=1 \
      "$work/corpus" "$corpus" >"$work/log" 2>&1 || rc=$?
    tail -n 20 "$work/log"
    python3 - "$work/log" "$name" <<'PY'
import re, sys
cov = ft = corp = runs = eps = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+) corp: (\d+)", line)
    if m:
        runs, cov, ft, corp = m.groups()
    m = re.match(r"stat::average_exec_per_sec:\s+(\d+)", line)
    if m:
        eps = m.group(1)
    m = re.match(r"stat::number_of_executed_units:\s+(\d+)", line)
    if m:
        runs = m.group(1)
print(f"BENCH fuzz target={sys.argv[2]} execs_per_s={eps} cov={cov} ft={ft} "
      f"corpus={corp} runs={runs}")
PY
    exit $rc
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
