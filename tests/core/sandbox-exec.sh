#!/usr/bin/env bash
# sandbox-exec.sh: execs $SANDBOX_PROGRAM with its arguments in a mount
# namespace set up the way fohd.service's mount options set up one
# (ProtectSystem=strict with the config, state and data directories
# writable, ProtectKernelTunables=, ProtectControlGroups=): every mount
# read-only except /dev and /proc, the colon-separated $SANDBOX_RW paths
# (created first) bound writable, /proc/sys and /sys read-only. Not
# emulated: PrivateTmp= (the test session itself lives in /tmp),
# PrivateUsers= (a user manager's user namespace maps only the user).
# Needs root (it mounts); exit 77 (skip) otherwise.
set -eu
if [ -z "${SANDBOX_INNER:-}" ]; then
  [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null || exit 77
  SANDBOX_INNER=1 exec unshare -m --propagation private "$0" "$@"
fi
IFS=: read -ra rw <<<"$SANDBOX_RW"
for p in "${rw[@]}"; do
  mkdir -p "$p"
  mount --bind "$p" "$p"
done
awk '{ print $5 }' /proc/self/mountinfo | sort -u | while read -r m; do
  case $m in /proc|/proc/*|/dev|/dev/*) continue ;; esac
  for p in "${rw[@]}"; do [ "$m" = "$p" ] && continue 2; done
  mount -o remount,bind,ro "$m" 2>/dev/null || echo "sandbox-exec: cannot make $m read-only" >&2
done
mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys
exec "$SANDBOX_PROGRAM" "$@"
