# Shared helpers of the deck tests (sourced after lib.sh).

DECK_IFACE=org.foh.Foh1.Deck
MIXER_IFACE=org.foh.Foh1.Mixer

deckaudio() { python3 "$FOH_DECK/deckaudio.py" "$@"; }

# deck L ACTION ARGS...: busctl on deck L (call / get-property / set-property)
deck() {
  local l=$1 action=$2; shift 2
  busctl --user -- "$action" org.foh.Foh1 "/org/foh/Foh1/deck/$l" $DECK_IFACE "$@"
}
dprop() { deck "$1" get-property "$2" | cut -d' ' -f2-; }
mixer() {
  local action=$1; shift
  busctl --user -- "$action" org.foh.Foh1 /org/foh/Foh1/mixer $MIXER_IFACE "$@"
}
mprop() { mixer get-property "$1" | cut -d' ' -f2-; }

# start_decks_fohd: fohd with the decks playing into the test sink.
start_decks_fohd() {
  cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 0
[decks]
output = foh-test-sink
$*
CONF
  start_fohd --config "$FOH_SESSION/foh.conf"
  wait_for 10 pw_client_running foh.decks || fail "foh.decks is not in the graph"
}

# decks_linked: foh.decks' output ports are linked to the sink.
decks_linked() {
  pw-link -l 2>/dev/null | grep -A1 '^foh.decks:output_' | grep -q '|->'
}

deck_stopped() { [ "$(dprop "$1" Playing)" = false ]; }
deck_playing() { [ "$(dprop "$1" Playing)" = true ]; }
