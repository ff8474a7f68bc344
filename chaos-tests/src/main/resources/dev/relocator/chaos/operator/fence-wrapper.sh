#!/bin/sh
# The fencing wrapper of docs/safety-argument.md (A3, hard case 1), for busybox sh. It runs the
# workload only while the node's lease file grants this task's volume at this task's epoch and the
# agent's deadline minus the kill budget lies ahead on the node's own uptime clock; it re-checks
# every CHECK_MS and SIGKILLs the workload the moment either stops holding. It also gates every
# append (MAY_WRITE_HOOK mode: `fence-wrapper.sh --check`), so the writer never appends on a stale
# grant between two watchdog checks.
#
# Environment: RELOCATOR_VOLUME, RELOCATOR_EPOCH (from the service's status.relocator.dev/epoch label via
# a Swarm template), RELOCATOR_LEASE_FILE (/run/relocator/lease), RELOCATOR_KILL_BUDGET_MS (1000).
#
# Not provided here: the same-node flock of two tasks of one volume (the host's busybox-static has
# no flock applet). In these scenarios a second task is never scheduled while one runs: the
# operator keeps replicas at 0 from Fencing to Starting.
set -u
LEASE="${RELOCATOR_LEASE_FILE:-/run/relocator/lease}"
BUDGET="${RELOCATOR_KILL_BUDGET_MS:-1000}"
CHECK="${RELOCATOR_CHECK_S:-0.25}"
VOL="${RELOCATOR_VOLUME:-}"
EPOCH="${RELOCATOR_EPOCH:-}"

granted() {
  [ -n "$VOL" ] && [ -n "$EPOCH" ] && [ -r "$LEASE" ] || return 1
  awk -v vol="$VOL" -v epoch="$EPOCH" -v budget="$BUDGET" '
    BEGIN { FS = "=" }
    $1 == "deadline_uptime_ms" { deadline = $2 + 0 }
    $1 == "allowed" { n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == vol ":" epoch) ok = 1 }
    END {
      getline up < "/proc/uptime"; split(up, u, " "); now = u[1] * 1000
      exit !(ok && deadline > 0 && now < deadline - budget)
    }' "$LEASE"
}

if [ "${1:-}" = "--check" ]; then
  granted
  exit $?
fi

if ! granted; then
  echo "fence-wrapper: no grant for ${VOL:-<no RELOCATOR_VOLUME>}:${EPOCH:-<no RELOCATOR_EPOCH>} in $LEASE, or lease expired; not starting" >&2
  exit 75
fi
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
while kill -0 "$child" 2>/dev/null; do
  if ! granted; then
    kill -KILL "$child" 2>/dev/null
    echo "fence-wrapper: grant for $VOL:$EPOCH gone or lease at its kill point; killed the workload" >&2
    exit 75
  fi
  sleep "$CHECK"
done
wait "$child"
