#!/usr/bin/env bash
# Reload: a valid config applies; every kind of invalid file is refused with
# org.foh.Foh1.Error.InvalidConfig naming the key, the running state stays,
# the file stays byte-identical, and fohd keeps serving. SIGHUP reloads too.
set -u
. "$FOH_TESTS/lib.sh"

conf=$FOH_SESSION/foh.conf
printf '[daemon]\nlog-level = debug\nreconnect-interval-ms = 500\n' >"$conf"
start_fohd --config "$conf"
prop_is LogLevel '"debug"' || fail "LogLevel $(prop LogLevel) after start, want debug"
prop_is ConfigPath "\"$conf\"" || fail "ConfigPath $(prop ConfigPath)"

reload() {
  busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager Reload 2>&1
}

# refuse NAME NEEDLE: $conf holds a bad file; Reload must refuse it.
refuse() {
  local name=$1 needle=$2 out
  cp "$conf" "$FOH_SESSION/before"
  if out=$(reload); then
    fail "$name: Reload accepted an invalid file"
  fi
  # busctl prints the error message; the error name is checked with gdbus-free python below.
  echo "$out" | grep -qF -- "$needle" || fail "$name: error does not name '$needle': $out"
  cmp -s "$conf" "$FOH_SESSION/before" || fail "$name: the file was changed"
  prop_is LogLevel '"debug"' || fail "$name: running LogLevel changed to $(prop LogLevel)"
  prop_is PipeWireConnected true || fail "$name: fohd stopped serving"
  note "$name refused: $out"
}

printf '[daemon]\nlog-level = warning\nreconnect-interval-ms = 50\n' >"$conf"
refuse "out of range" "reconnect-interval-ms"
printf '[daemon]\nlog-level = warning\nreconnect-interval-ms = often\n' >"$conf"
refuse "wrong type" "reconnect-interval-ms"
printf '[daemon]\nlog-level = shouting\n' >"$conf"
refuse "bad enum" "log-level"
printf '[daemon]\nlog-level = warning\nloglevel = info\n' >"$conf"
refuse "unknown key" "loglevel"
printf '[daemon\nlog-level = warning\n' >"$conf"
refuse "syntax error" "syntax error"
head -c 4096 /dev/urandom >"$conf"
printf '\0' >>"$conf"
refuse "binary garbage" "$conf"
head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$conf"
refuse "10 MB" "limit"

# The error has its contract name.
printf '[daemon]\nlog-level = nope\n' >"$conf"
python3 - <<'PY' || fail "Reload error is not org.foh.Foh1.Error.InvalidConfig"
import subprocess, sys
p = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.foh.Foh1",
                    "/org/foh/Foh1", "org.foh.Foh1.Manager.Reload"],
                   capture_output=True, text=True)
sys.exit(0 if p.returncode != 0 and "org.foh.Foh1.Error.InvalidConfig" in p.stderr else 1)
PY

out=$("$FOHCTL" reload 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 1 ] || fail "fohctl reload of a bad file exited $rc, want 1"
[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "fohctl reload printed more than one line: $out"

printf '[daemon]\nlog-level = warning\n' >"$conf"
reload >/dev/null || fail "a valid file was refused"
prop_is LogLevel '"warning"' || fail "valid reload did not apply: $(prop LogLevel)"

# A file with no keys (empty, or comments only) is all defaults.
: >"$conf"
reload >/dev/null || fail "an empty file was refused"
prop_is LogLevel '"info"' || fail "an empty file did not mean defaults: $(prop LogLevel)"
printf '# nothing set here\n' >"$conf"
"$FOHD" --check-config --config "$conf" >/dev/null || fail "--check-config rejects a comments-only file"

printf '[daemon]\nlog-level = error\n' >"$conf"
kill -HUP "$(pid_of fohd)"
wait_for 5 prop_is LogLevel '"error"' || fail "SIGHUP did not reload: $(prop LogLevel)"

# A daemon given an invalid file at start refuses to start, saying why.
printf '[daemon]\nreconnect-interval-ms = -1\n' >"$FOH_SESSION/bad-start.conf"
if out=$("$FOHD" --config "$FOH_SESSION/bad-start.conf" 2>&1); then
  fail "fohd started with an invalid config"
fi
echo "$out" | grep -q 'reconnect-interval-ms' || fail "start refusal does not name the key: $out"
"$FOHD" --check-config --config "$conf" >/dev/null || fail "--check-config rejects a valid file"
echo "ok: invalid configs refused, valid ones applied"
