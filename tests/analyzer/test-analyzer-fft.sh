#!/usr/bin/env bash
# /audio/fft during a steady 1 kHz, -20 dBFS sine (through channel 1, the
# analyzer's Source), FftEnabled and SendFft on, the default geometry
# (window 1024, 128 bins from 30 Hz to sr/2). osc.py computes the log-bin
# edges and which linear FFT bins each log bin averages from spectrum.h's
# rule, independently of fohd:
#  1. post-processed ([0, 1]) frames: the hottest bin of the mean frame
#     must be a bin whose linear bins cover 1 kHz (a log bin is the mean of
#     its linear bins, so the hottest one holds the linear bin nearest the
#     tone, which need not be the log bin whose edges contain 1 kHz), and it
#     must be the hottest in >= 90 % of the frames;
#  2. RawDb: the bins around the tone read within 1 dB of the mean over
#     their linear bins of P[k] = |X[k]|^2 2 / (sum w)^2, computed by a
#     plain DFT of a Hann-windowed -20 dBFS sine; and exactly the log bins
#     the rule leaves without a linear bin read the -1000 sentinel.
# In between, FftEnabled false stops the hops and /audio/fft, and true
# brings them back.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"

port=$(free_port)
log=$FOH_SESSION/osc.osc
start_osc osc "$port"
an_conf "$FOH_SESSION/foh.conf" "$port" "fft = true" "send-fft = true"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
[ "$(anprop FftBins)" = 128 ] || fail "FftBins is $(anprop FftBins), not the default 128"
rate=$(prop SampleRate)
window=$(anprop FftWindow)
bins=$(anprop FftBins)
fmin=$(anprop FftMinHz)
note "rate $rate, window $window, $bins bins from $fmin Hz"

start_tone tone 1000 -20
# The smoother and the auto-scaler settle within a second; then 1 s of frames
# (about 90 at hop 512).
wait_for 5 osc_more "$log" /audio/fft "$(( $(osc_count "$log" /audio/fft) + 90 ))" \
  || fail "/audio/fft is not arriving"
t0=$(wall)
wait_for 5 osc_more "$log" /audio/fft "$(( $(osc_count "$log" /audio/fft) + 90 ))" \
  || fail "/audio/fft stopped arriving"
t1=$(wall)
read -r n hot lo hi covers share containing < <(osc_py fft-hot "$log" "$t0" "$t1" \
  "$rate" "$window" "$bins" "$fmin" 1000)
note "post-processed: $n frames; hottest bin $hot (its linear bins span $lo..$hi Hz), hottest in $share of the frames; the log bin whose edges hold 1 kHz is $containing"
[ "$n" -ge 50 ] || fail "only $n /audio/fft frames of $bins values in 1 s"
[ "$covers" = 1 ] || fail "the hottest bin $hot (linear bins $lo..$hi Hz) does not cover 1 kHz"
within "$share" 0.9 1 || fail "bin $hot is the hottest in only $share of the frames"

# FftEnabled false: no more hops and no more /audio/fft, SendFft or not.
anset FftEnabled b false
wait_blocks 20 || fail "the analyzer stopped processing"
hops=$(anprop FftHops)
n1=$(osc_count "$log" /audio/fft)
wait_blocks 100 || fail "the analyzer stopped processing"
[ "$(anprop FftHops)" = "$hops" ] || fail "FftHops went on from $hops to $(anprop FftHops) with FftEnabled false"
[ "$(osc_count "$log" /audio/fft)" = "$n1" ] || fail "/audio/fft still arrives with FftEnabled false"
anset FftEnabled b true
wait_for 5 osc_more "$log" /audio/fft "$n1" || fail "no /audio/fft after FftEnabled true again"

anset RawDb b true
# Raw frames are in dB: wait for one with the empty-bin sentinel (-1000),
# then take 0.5 s of them.
raw_arrived() {
  grep ' /audio/fft ' "$log" | tail -n 1 | grep -q ' -1000\.0'
}
wait_for 5 raw_arrived || fail "no raw-dB /audio/fft frame after RawDb=true"
t0=$(wall)
wait_for 5 osc_more "$log" /audio/fft "$(( $(osc_count "$log" /audio/fft) + 45 ))" \
  || fail "/audio/fft stopped arriving"
t1=$(wall)
osc_py fft-raw "$log" "$t0" "$t1" "$rate" "$window" "$bins" "$fmin" 1000 -20 >"$FOH_SESSION/raw.txt"
read -r n rhot ok bad < <(tail -n 1 "$FOH_SESSION/raw.txt")
note "raw dB: $n frames, hottest bin $rhot; $ok empty bins read -1000 as the edge rule says, $bad disagree"
[ "$n" -ge 20 ] || fail "only $n raw /audio/fft frames in 0.5 s"
[ "$rhot" = "$hot" ] || fail "raw dB: the hottest bin is $rhot, post-processed it was $hot"
[ "$bad" = 0 ] || fail "$bad log bins disagree with the edge rule on being empty"
checked=0 off=""
while read -r j got want; do
  d=$(python3 -c "print('%+.2f' % ($got - $want))")
  note "bin $j: $got dB, expected $want dB ($d dB)"
  within "$d" -1 1 || off="$off bin $j: $got dB, expected $want dB ($d);"
  checked=$((checked + 1))
done < <(head -n -1 "$FOH_SESSION/raw.txt")
[ "$checked" -ge 3 ] || fail "only $checked bins near 1 kHz were checked"
# (A uniform +3.01 dB here is the mono downmix: the stereo channel reaches
# the analyzer's mono stream with FL and FR each at -3 dB, summed.)
[ -z "$off" ] || fail "raw dB off by more than 1 dB:$off"
echo "ok: the 1 kHz bin is the hottest and raw dB matches |X|^2 2/(sum w)^2 within 1 dB"
