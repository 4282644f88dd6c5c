# Shared helpers of the analyzer tests; sourced after lib.sh and graph.sh.
# oscdump (liblo-tools) is the OSC receiver: it prints one line per message,
# "<NTP seconds hex>.<NTP fraction hex> <path> <types> <args...>", stamped
# with the wall clock when it received the message; osc.py reads its logs.

AN_PATH=/org/foh/Foh1/analyzer
AN_IFACE=org.foh.Foh1.Analyzer

osc_py() {
  python3 "$FOH_ANALYZER/osc.py" "$@"
}

# anprop NAME: an analyzer property's value, without its type.
anprop() {
  busctl --user get-property org.foh.Foh1 $AN_PATH $AN_IFACE "$1" | cut -d' ' -f2-
}

# anset NAME SIG VALUE: sets an analyzer property; fails the test if refused.
anset() {
  busctl --user -- set-property org.foh.Foh1 $AN_PATH $AN_IFACE "$1" "$2" "$3" \
    || fail "setting analyzer $1=$3 was refused"
}

# ancall METHOD [SIG ARGS...]: calls an analyzer method; fails the test if refused.
ancall() {
  busctl --user -- call org.foh.Foh1 $AN_PATH $AN_IFACE "$@" \
    || fail "analyzer $1 ${*:2} was refused"
}

# an_state: every analyzer setting in one line (busctl's GetAll up to the
# live values and diagnostics, which come after Destinations) — what a
# refusal must not change. Doubles are printed with 6 significant digits.
an_state() {
  local all
  all=$(busctl --user call org.foh.Foh1 $AN_PATH org.freedesktop.DBus.Properties GetAll s $AN_IFACE) \
    || return 1
  case "$all" in
    *' "Destinations" as '*' "Lmh" (ddd) '*) echo "${all%% \"Lmh\" (ddd) *}" ;;
    *) echo "unexpected GetAll: $all"; return 1 ;;
  esac
}

# free_port: a UDP port nobody listens on now (the kernel picks it).
free_port() {
  python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# port_bound PORT: some socket listens on UDP PORT (binding it fails).
port_bound() {
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)' "$1"
}

# start_osc NAME PORT: oscdump on PORT, writing what it receives to
# $FOH_SESSION/NAME.osc (not a .log: session.sh shows the tails of those on
# failure, and FFT lines are long); waits until it listens.
start_osc() {
  spawn "$1" bash -c 'exec oscdump -L "$1" >"$2"' oscdump "$2" "$FOH_SESSION/$1.osc"
  wait_for 5 port_bound "$2" || fail "oscdump did not bind UDP port $2"
}

# an_conf FILE PORT [LINES...]: one channel with its dynamics off, the
# analyzer listening to its output and sending to 127.0.0.1:PORT; LINES are
# added to [analyzer].
an_conf() {
  local file=$1 port=$2 line
  shift 2
  {
    printf '[daemon]\nchannels = 1\n[channel.1]\ncomp-enabled = false\nlimiter-enabled = false\n'
    printf '[analyzer]\nsource = channel/1\ndestinations = 127.0.0.1:%s\n' "$port"
    for line in "$@"; do
      printf '%s\n' "$line"
    done
  } >"$file"
}

# analyzer_running: foh.analyzer and channel 1 run in the graph.
analyzer_running() {
  nodes_running foh.analyzer foh.ch1.capture foh.ch1.playback
}

# start_tone NAME HZ DBFS: tone-play's sine into channel 1; waits until it runs.
start_tone() {
  spawn "$1" "$TONE_PLAY" --hz "$2" --dbfs "$3" foh.ch1.capture
  wait_for 10 nodes_running foh-tone.foh.ch1.capture || fail "the $2 Hz tone does not run"
}

# wall: the wall clock in seconds (oscdump stamps with the same clock).
wall() {
  date +%s.%N
}

# osc_count LOG PATH: messages with this address in LOG so far.
osc_count() {
  local n
  n=$(grep -c " $2 " "$1" 2>/dev/null) || true
  echo "${n:-0}"
}

# osc_more LOG PATH N: LOG holds more than N messages to PATH.
osc_more() {
  [ "$(osc_count "$1" "$2")" -gt "$3" ]
}

# blocks_past N: the analyzer has processed more than N cycles (Blocks).
blocks_past() {
  [ "$(anprop Blocks)" -gt "$1" ]
}

# wait_blocks N: waits until the analyzer has processed N more cycles.
wait_blocks() {
  wait_for 10 blocks_past "$(( $(anprop Blocks) + $1 ))"
}

# band_holds LOG BAND WHAT MIN_SHARE: while a steady tone plays, BAND is the
# largest band of /audio/lmh in >= MIN_SHARE of a fresh window of 110
# messages and its mean leads the others' by >= 0.03. A window that a
# loaded machine disturbed (an under-run's click is broadband, and the
# auto-scaler lifts every band towards its own peak) is measured again, up
# to three windows; each is noted, and the last one's figures decide. A
# wrong band or a silent capture fails every window (share near 0).
band_holds() {
  local log=$1 band=$2 what=$3 min=$4 try t0 t1 n low mid high share margin
  for try in 1 2 3; do
    t0=$(wall)
    wait_for 5 osc_more "$log" /audio/lmh "$(( $(osc_count "$log" /audio/lmh) + 110 ))" \
      || fail "/audio/lmh stopped arriving"
    t1=$(wall)
    read -r n low mid high share margin < <(osc_py dominance "$log" "$t0" "$t1" "$band")
    note "$what, window $try: $n messages, mean low $low mid $mid high $high; $band largest in $share of them, leads by $margin"
    [ "$n" -ge 100 ] || fail "$what: only $n /audio/lmh messages in the window"
    within "$share" "$min" 1 && within "$margin" 0.03 1 && return 0
  done
  within "$share" "$min" 1 || fail "$what: $band is the largest band in only $share of the messages (3 windows)"
  fail "$what: $band leads by only $margin (3 windows)"
}
