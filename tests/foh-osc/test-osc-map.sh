#!/usr/bin/env bash
# Every mapped /foh/... address changes the fohd property it names: oscsend
# a value, then busctl reads the property (or the X32 fader, or the
# analyzer's bands) back. Numbers go as ,f ,i and ,d; switches as T/F and
# 0/1. The X32 fader goes to the fake desk and comes back quantized to the
# desk's 1024 steps: within half a step (80 dB / 1023 / 2 between -30 and
# -10 dB) of what was sent.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

start_fake_desk
cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 2
[x32]
address = 127.0.0.1:$desk_port
[stabilizer]
source = channel/1
output = channel/1
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
start_bridge

# check ADDRESS TYPES VALUE OBJECT IFACE PROPERTY EXPECTED
check() {
  if [ -n "$3" ]; then send "$1" "$2" "$3"; else send "$1" "$2"; fi
  wait_for 5 objprop_is "$4" "$5" "$6" "$7" \
    || fail "$1 $2 $3: $4 $6 is $(objprop "$4" "$5" "$6"), not $7"
  echo "ok: $1 ,$2 $3 → $4 $6 = $7"
}

check /foh/ch/1/gain f -6.5 channel/1 Channel Gain -6.5
check /foh/ch/2/gain i -4 channel/2 Channel Gain -4
objprop_is channel/1 Channel Gain -6.5 || fail "/foh/ch/2 changed channel 1"
check /foh/ch/1/mute T "" channel/1 Channel Mute true
check /foh/ch/1/mute i 0 channel/1 Channel Mute false
check /foh/ch/1/gate_open f 1 channel/1 Channel GateOpen true
check /foh/ch/1/gate/enabled T "" channel/1 Channel GateEnabled true
check /foh/ch/1/gate/threshold f -40 channel/1 Channel GateThreshold -40
check /foh/ch/1/comp/enabled F "" channel/1 Channel CompEnabled false
check /foh/ch/1/comp/threshold d -18.25 channel/1 Channel CompThreshold -18.25
check /foh/ch/1/comp/ratio f 4 channel/1 Channel CompRatio 4
check /foh/ch/1/comp/makeup f 3 channel/1 Channel CompMakeup 3
check /foh/ch/1/limiter/enabled i 0 channel/1 Channel LimiterEnabled false
check /foh/ch/1/limiter/ceiling f -6 channel/1 Channel LimiterCeiling -6
check /foh/ch/1/reverb/enabled T "" channel/1 Channel ReverbEnabled true
check /foh/ch/1/reverb/decay f 2.5 channel/1 Channel ReverbDecaySec 2.5
check /foh/ch/1/reverb/mix i 40 channel/1 Channel ReverbMix 40
check /foh/ch/1/delay/time f 375 channel/1 Channel DelayTimeMs 375
check /foh/ch/1/delay/ping_pong T "" channel/1 Channel DelayPingPong true
check /foh/ch/1/chorus/rate f 1.5 channel/1 Channel ChorusRateHz 1.5
check /foh/ch/1/width f 150 channel/1 Channel Width 150
check /foh/stabilizer/target f -24 stabilizer Stabilizer TargetDb -24
check /foh/stabilizer/enabled T "" stabilizer Stabilizer Enabled true
check /foh/stabilizer/enabled F "" stabilizer Stabilizer Enabled false

# X32: the desk must be connected for SetFader.
x32_connected() { objprop_is x32 X32 Connected true; }
wait_for 10 x32_connected || fail "fohd did not connect to the fake desk"
fader() { busctl --user call org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 GetFader s bus5 | cut -d' ' -f2; }
fader_near() { within "$(fader)" "$(python3 -c "print($1 - 40/1023)")" "$(python3 -c "print($1 + 40/1023)")"; }
send /foh/x32/fader/bus5 f -12
wait_for 5 fader_near -12 || fail "/foh/x32/fader/bus5 -12: the desk's bus5 fader is $(fader) dB"
echo "ok: /foh/x32/fader/bus5 ,f -12 → X32 bus5 fader $(fader) dB"

# Analyzer bands: SetBand(name, lo, hi).
bands_have_mid() { objprop analyzer Analyzer Bands | grep -q '"mid" 300 2000'; }
send /foh/analyzer/band/mid ff 300 2000
wait_for 5 bands_have_mid || fail "/foh/analyzer/band/mid 300 2000: Bands is $(objprop analyzer Analyzer Bands)"
echo "ok: /foh/analyzer/band/mid ,ff 300 2000 → Bands $(objprop analyzer Analyzer Bands)"

[ "$(osc_stat refused_type)" = 0 ] && [ "$(osc_stat refused_range)" = 0 ] \
  && [ "$(osc_stat refused_unknown_address)" = 0 ] \
  || fail "a valid message was refused: $(busctl --user call $OSC_BUS $OSC_PATH org.foh.Osc1 Stats)"
