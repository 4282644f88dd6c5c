#!/usr/bin/env bash
# /audio/lmh arrives once per PipeWire cycle, sr / quantum per second
# (+-5 %), at two forced quanta (1024 and 256); /audio/meta arrives at start
# (rate, block, bins, band edges as the Manager and the Analyzer report
# them), again when the block changes, once after each SetBand (three of
# them) with the new edges, once after FftBins with the new bin count — and
# not otherwise.
#
# Rate: after the meta for the new block has arrived, wait for about 1.5 s
# worth of /audio/lmh; the rate is (n - 1) / (last - first) over the
# oscdump receive stamps of the messages in that window (up to three
# windows: one disturbed by a loaded machine is measured again).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"

port=$(free_port)
log=$FOH_SESSION/osc.osc
# oscdump first, so it hears the meta fohd sends at start.
start_osc osc "$port"
an_conf "$FOH_SESSION/foh.conf" "$port"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
wait_for 5 osc_more "$log" /audio/meta 0 || fail "no /audio/meta at start"
wait_for 5 osc_more "$log" /audio/lmh 0 || fail "no /audio/lmh at start"

rate=$(prop SampleRate)
quantum=$(prop Quantum)
read -r _ m_rate m_block m_bins edges < <(osc_py meta "$log" | head -n 1)
note "first meta: rate $m_rate block $m_block bins $m_bins edges $edges (SampleRate $rate, Quantum $quantum)"
[ "$m_rate" = "$rate" ] || fail "/audio/meta rate $m_rate, SampleRate is $rate"
[ "$m_bins" = "$(anprop FftBins)" ] || fail "/audio/meta bins $m_bins, FftBins is $(anprop FftBins)"
[ "$edges" = "88 184 304 1760 2944 13952" ] || fail "/audio/meta edges $edges are not the defaults"
# (Unforced, Quantum is the settings' clock.quantum, 1024, while the graph
# runs at the 256 frames foh.analyzer's node.latency asks for; so the block
# is only compared with a forced quantum below.)

# last_meta_block Q: the newest /audio/meta announces block Q.
last_meta_block() {
  [ "$(osc_py meta "$log" | tail -n 1 | cut -d' ' -f3)" = "$1" ]
}

for q in 1024 256; do
  metas=$(osc_count "$log" /audio/meta)
  force_quantum "$q"
  wait_for 5 last_meta_block "$q" || fail "no /audio/meta with block $q after forcing quantum $q"
  after=$(osc_count "$log" /audio/meta)
  [ "$after" -eq $((metas + 1)) ] || fail "$((after - metas)) /audio/meta for one block change to $q"
  want=$(python3 -c "print($rate / $q)")
  # up to three fresh windows: cycles a loaded machine's graph missed (or
  # a receiver that stalled) disturb one window; a wrong rate fails all
  ok=0
  for try in 1 2 3; do
    t0=$(wall)
    wait_for 5 osc_more "$log" /audio/lmh "$(( $(osc_count "$log" /audio/lmh) + rate * 3 / 2 / q ))" \
      || fail "/audio/lmh stopped arriving at quantum $q"
    t1=$(wall)
    read -r n span got < <(osc_py rate "$log" /audio/lmh "$t0" "$t1")
    note "quantum $q, window $try: $n /audio/lmh in $span s = $got per second, want $want +- 5 %"
    if within "$got" "$(python3 -c "print($want * 0.95)")" "$(python3 -c "print($want * 1.05)")"; then
      ok=1; break
    fi
  done
  [ "$ok" = 1 ] || fail "quantum $q: /audio/lmh at $got per second in three windows, want $want +- 5 %"
  [ "$(osc_count "$log" /audio/meta)" -eq "$after" ] \
    || fail "/audio/meta was sent again while nothing changed"
done

# SetBand, then FftBins: exactly one meta each, with the new edges (bins),
# the same rate and block. All are checked before the test fails.
problems=0
problem() {
  echo "FAIL: $*" >&2
  problems=$((problems + 1))
}
metas=$(osc_count "$log" /audio/meta)
# three SetBands, each to be announced with its edges
for args in "mid 400 2000 88 184 400 2000 2944 13952" \
            "high 3000 12000 88 184 400 2000 3000 12000" \
            "low 60 150 60 150 400 2000 3000 12000"; do
  set -- $args
  band=$1 lo=$2 hi=$3
  shift 3
  want="$*"
  ancall SetBand sdd "$band" "$lo" "$hi"
  [ "$(anprop Bands | tr -d '"' | cut -d' ' -f2-)" = "low $1 $2 mid $3 $4 high $5 $6" ] \
    || fail "Bands is $(anprop Bands) after SetBand $band $lo $hi"
  if wait_for 1 osc_more "$log" /audio/meta "$metas"; then
    read -r _ m_rate m_block m_bins edges < <(osc_py meta "$log" | tail -n 1)
    note "meta after SetBand $band $lo $hi: rate $m_rate block $m_block bins $m_bins edges $edges"
    [ "$edges" = "$want" ] || problem "/audio/meta after SetBand $band $lo $hi has edges $edges"
    [ "$m_rate $m_block $m_bins" = "$rate 256 128" ] \
      || problem "/audio/meta after SetBand: rate $m_rate block $m_block bins $m_bins"
    metas=$(osc_count "$log" /audio/meta)
  else
    problem "no /audio/meta within 1 s of SetBand $band $lo $hi"
  fi
done
anset FftBins u 64
if wait_for 1 osc_more "$log" /audio/meta "$metas"; then
  read -r _ m_rate m_block m_bins edges < <(osc_py meta "$log" | tail -n 1)
  note "meta after FftBins 64: rate $m_rate block $m_block bins $m_bins edges $edges"
  [ "$m_bins" = 64 ] || problem "/audio/meta after FftBins 64 says $m_bins bins"
  metas=$((metas + 1))
else
  problem "no /audio/meta within 1 s of FftBins 64"
fi
# Another 100 cycles: nothing more.
wait_for 5 osc_more "$log" /audio/lmh "$(( $(osc_count "$log" /audio/lmh) + 100 ))" \
  || fail "/audio/lmh stopped arriving"
if [ "$(osc_count "$log" /audio/meta)" -ne "$metas" ]; then
  problem "$(( $(osc_count "$log" /audio/meta) - metas )) more /audio/meta than changes"
  osc_py meta "$log" | tail -n +"$((metas + 1))" | sed 's/^/  extra: /' >&2
fi
[ "$problems" = 0 ] || fail "$problems problems with /audio/meta (above)"
echo "ok: /audio/lmh at sr/quantum, /audio/meta at start, on a block change, after SetBand and FftBins"
