#!/usr/bin/env bash
# Subscription feedback, like the X32's /xremote, behind a challenge (issue
# 13, defect 4: a forged /foh/subscribe made foh-osc send 250 kB to its
# source). Two surfaces send /foh/subscribe at t = 0 and confirm with the
# token of the challenge; B renews at t = 20 s, A does not. C asks and never
# confirms: it gets one datagram at most, no larger than its request, and
# no feedback. D sends a guessed token unasked: nothing. A and B get
# /foh/ch/1/levels at 10 ± 1 Hz (counted over 10 s); a Gain set over D-Bus
# at t = 3 s reaches both as /foh/ch/1/gain -3; A's lease runs out 30 s
# after it subscribed — its last levels arrive in [29.5, 30.5] s and none
# after — while B still gets them at t = 35 s. Runs ~36 s: the lease is
# the real default, not shortened for the test.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

start_pair 1
levels_flowing() { busctl --user get-property org.foh.Foh1 /org/foh/Foh1/channel/1 org.foh.Foh1.Channel VuDb >/dev/null; }
wait_for 5 levels_flowing || fail "channel 1 is not there"

python3 "$FOH_TESTS/foh-osc/oscx.py" subscribe "$OSC_PORT" 36 20 3 >"$FOH_SESSION/feedback.json" \
  || fail "the subscribing surfaces failed"
python3 - "$FOH_SESSION/feedback.json" <<'PY' || fail "feedback did not behave"
import json, sys
got = json.load(open(sys.argv[1]))
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok = ok and cond
check(len(got["c_sizes"]) <= 1 and all(n <= got["request_size"] for n in got["c_sizes"]),
      f"c (never confirms): datagrams of {got['c_sizes']} bytes, request {got['request_size']}")
check(all(addr == "/foh/token" for _, addr, _, _ in got["c"]), f"c: no feedback ({len(got['c'])})")
check(got["d"] == [], f"d (a guessed token): nothing ({len(got['d'])})")
for s in "ab":
    times = [t for t, addr, _, _ in got[s] if addr == "/foh/ch/1/levels"]
    in_window = [t for t in times if 2 <= t < 12]
    check(9 * 10 <= len(in_window) <= 11 * 10,
          f"{s}: {len(in_window) / 10:.1f} Hz of /foh/ch/1/levels between 2 and 12 s")
    shapes = {types for _, addr, types, _ in got[s] if addr == "/foh/ch/1/levels"}
    check(shapes == {"ffffff"}, f"{s}: levels carry ,ffffff ({shapes})")
    gains = [args[0] for _, addr, types, args in got[s] if addr == "/foh/ch/1/gain"]
    check(gains == [-3.0], f"{s}: property feedback /foh/ch/1/gain {gains}")
a = [t for t, addr, _, _ in got["a"] if addr == "/foh/ch/1/levels"]
b = [t for t, addr, _, _ in got["b"] if addr == "/foh/ch/1/levels"]
check(a and 29.5 <= a[-1] <= 30.5, f"a: last levels at {a[-1] if a else None} s (lease 30 s, not renewed)")
check(len(got["a"]) == 0 or got["a"][-1][0] <= 30.5, "a: nothing after its lease")
check(b and b[-1] >= 35, f"b: still fed at {b[-1] if b else None} s after renewing at 20 s")
sys.exit(0 if ok else 1)
PY
osc_stat_is subscribers 1 || fail "subscribers is $(osc_stat subscribers), B alone should hold a lease"
osc_stat_is challenges 3 || fail "challenges is $(osc_stat challenges), want 3 (A, B, C)"
osc_stat_is refused_token 1 || fail "refused_token is $(osc_stat refused_token), want 1 (D)"
osc_stat_is feedback_dropped 0 || fail "feedback_dropped is $(osc_stat feedback_dropped): the budget cut 10 Hz levels"
