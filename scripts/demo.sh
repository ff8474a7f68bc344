#!/usr/bin/env bash
# The demo of the README (Quick start, command 1). Installs what is missing, starts a Docker Engine
# if none runs, builds, and then, on this machine:
#   1. starts a 3-node lab Swarm (1 manager, 2 workers; Docker-in-Docker nodes), a Kafka broker,
#      and the operator with `docker stack deploy -c deploy/docker-stack.yml` (image built through
#      deploy/Dockerfile);
#   2. deploys a writer as the demo stateful service on a relocatable volume (shared storage),
#      under the fencing wrapper;
#   3. kills the node it runs on and shows the relocation live (phases from Kafka, with times),
#      where the writer runs now, and that the records written before the crash are still there.
# The lab keeps running afterwards; `scripts/demo.sh --down` removes it.
#
#   scripts/demo.sh          # run the demo (about 2 minutes with cached images; the first run
#                            # builds the lab images, 3 to 5 minutes more)
#   scripts/demo.sh --down   # tear the demo lab down
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DEMO_DIR="${RELOCATOR_STATE}/demo"
PID_FILE="$DEMO_DIR/demo.pid"
FIFO="$DEMO_DIR/control"
LOG="$DEMO_DIR/demo.log"

demo_pid() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null && cat "$PID_FILE"; }

down() {
  local pid run
  run="$(sed -n 's/.*lab up in .* s: \(lab-[0-9a-f]*\).*/\1/p' "$LOG" 2>/dev/null | tail -1)"
  if pid="$(demo_pid)"; then
    say "stopping the demo (pid $pid): it removes its lab, its stack and its broker"
    printf '\n' > "$FIFO" || true
    for _ in $(seq 1 90); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      warn "still running after 90 s; sending SIGTERM (its shutdown hook removes the lab)"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
  else
    say "no demo process is running"
  fi
  if [ -n "$run" ]; then
    # whatever an interrupted run left behind, by the lab's label (and only that run's)
    local ids
    ids="$(docker ps -aq --filter "label=dev.relocator.lab=$run")"
    [ -n "$ids" ] && { say "removing leftover containers of $run"; docker rm -f -v $ids >/dev/null; }
    ids="$(docker network ls -q --filter "label=dev.relocator.lab=$run")"
    [ -n "$ids" ] && { say "removing leftover networks of $run"; docker network rm $ids >/dev/null; }
  fi
  rm -f "$PID_FILE" "$FIFO"
  say "demo lab removed"
}

if [ "${1:-}" = "--down" ]; then
  ensure_socket_access
  down
  exit 0
fi
[ $# -eq 0 ] || die "unknown argument '$1'. Usage: scripts/demo.sh [--down]"

if pid="$(demo_pid)"; then
  die "a demo is already running (pid $pid, log $LOG). Remove it first: scripts/demo.sh --down"
fi

ensure_packages
ensure_engine
ensure_socket_access
as_root mkdir -p "$DEMO_DIR"

say "building the operator (Quarkus fast-jar) and the lab (mvn package, tests skipped)"
start=$(date +%s)
mvn_cmd -q -pl chaos-tests -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$DEMO_DIR/classpath.txt" -Dmdep.includeScope=runtime
say "built in $(( $(date +%s) - start )) s"

export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
rm -f "$FIFO"; mkfifo "$FIFO"
cp="$RELOCATOR_ROOT/chaos-tests/target/classes:$(cat "$DEMO_DIR/classpath.txt")"
# stdin is the control FIFO opened read-write: it never reaches end of input, so the lab stays up
# after this script exits; a line written to it (--down) ends the demo cleanly.
(cd "$RELOCATOR_ROOT" && exec nohup java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  dev.relocator.chaos.operator.DemoMain 0<>"$FIFO" >"$LOG" 2>&1) &
echo $! > "$PID_FILE"
pid="$(cat "$PID_FILE")"
say "demo running as pid $pid (full log: $LOG)"

# show the demo's own lines as they come, until it is done or dies
shown=0
while :; do
  lines="$(wc -l < "$LOG" 2>/dev/null || echo 0)"
  if [ "$lines" -gt "$shown" ]; then
    sed -n "$((shown + 1)),${lines}p" "$LOG" | grep '^\[demo\|^DEMO DONE' || true
    shown="$lines"
  fi
  grep -q '^DEMO DONE' "$LOG" && break
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -40 "$LOG" >&2
    die "the demo process ended before it was done (log: $LOG)"
  fi
  sleep 0.5
done
say "the lab is still running. Tear it down with: scripts/demo.sh --down"
