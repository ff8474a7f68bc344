#!/usr/bin/env bash
# Footprint of one operator instance on the host (issue #10 item 4): start -> ready time, RSS at
# ready and after an idle period, idle CPU, for a "default" JVM and a "tuned" JVM, RUNS each.
#
#   scripts/bench-footprint.sh                 # 3 runs per config, 60 s idle, Kafka unreachable
#   RUNS=1 IDLE_SECONDS=10 scripts/bench-footprint.sh
#
# Runs against the host Docker Engine as a single-node swarm on loopback (the approach of
# dev.relocator.testkit.docker.TestSwarm): if the engine is not in swarm mode it is initialised,
# and it is left at the end only if this script created it and no other user is registered in
# /tmp/relocator-testswarm-users. KAFKA_BOOTSTRAP_SERVERS points at a port where nothing listens
# (127.0.0.1:1 by default), so the figures are without a broker. Stops only the JVMs it started,
# by PID. Prints one TSV row per run and the medians per config.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
APP_DIR="${APP_DIR:-$ROOT/operator/target/quarkus-app}"
RUNS="${RUNS:-3}"
IDLE_SECONDS="${IDLE_SECONDS:-60}"
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-120}"
PORT="${PORT:-9494}"
KAFKA="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:1}"
CONFIGS="${CONFIGS:-default tuned}"
WORK="${WORK:-$(mktemp -d /tmp/relocator-footprint.XXXXXX)}"
mkdir -p "$WORK"
USERS_DIR=/tmp/relocator-testswarm-users
CLK_TCK=$(getconf CLK_TCK)

# The tuned JVM. Serial GC and a small heap: the operator holds a few hundred objects per volume.
# C1 only: it starts faster and its code cache stays small; the hot paths are not CPU bound.
# AppCDS (a dynamic archive written by a first run) skips class parsing at start.
TUNED_OPTS="-XX:+UseSerialGC -Xms16m -Xmx64m -Xss256k -XX:MaxMetaspaceSize=80m -XX:ReservedCodeCacheSize=32m
 -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseContainerSupport -XX:+ExitOnOutOfMemoryError
 -XX:SharedArchiveFile=$WORK/app.jsa -Xlog:cds=off -Xlog:cds+dynamic=off
 -Dquarkus.http.io-threads=1 -Dquarkus.vertx.event-loops-pool-size=1 -Dquarkus.thread-pool.core-threads=1
 -Dquarkus.thread-pool.max-threads=8"
DEFAULT_OPTS=""
# what deploy/Dockerfile ships, read from it so that the figure follows the file
DOCKERFILE_OPTS="$(sed -n 's/^ENV JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/deploy/Dockerfile")"

JAR="$APP_DIR/quarkus-run.jar"
if [[ ! -f "$JAR" ]]; then
  echo "no $JAR: build it first with  mvn -B -o -q -pl operator -am package -DskipTests" >&2
  exit 2
fi
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "something already listens on 127.0.0.1:$PORT; stop it or set PORT=<free port>" >&2
  exit 2
fi

created_swarm=0
started_pid=""
mkdir -p "$USERS_DIR"
touch "$USERS_DIR/$$"

other_swarm_users() {
  local f pid
  for f in "$USERS_DIR"/*; do
    pid="${f##*/}"
    [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$$" ]] || continue
    if kill -0 "$pid" 2>/dev/null; then return 0; fi
  done
  return 1
}

cleanup() {
  if [[ -n "$started_pid" ]] && kill -0 "$started_pid" 2>/dev/null; then
    kill -TERM "$started_pid" 2>/dev/null || true
    wait "$started_pid" 2>/dev/null || true
  fi
  rm -f "$USERS_DIR/$$"
  if [[ $created_swarm == 1 ]]; then
    if other_swarm_users; then
      echo "# swarm created here is still used by another registered process: left in place" >&2
    else
      docker swarm leave --force >/dev/null && echo "# left the swarm this script created" >&2
    fi
  fi
}
trap cleanup EXIT

if [[ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]]; then
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null
  created_swarm=1
  echo "# initialised a single-node swarm on loopback (will leave it at the end)" >&2
fi

now_ns() { date +%s%N; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# per-thread CPU ticks as "tid name ticks" (Java puts the thread name, cut to 15 chars, in comm)
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' <"$t/comm" 2>/dev/null)" "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)"
  done 2>/dev/null | sort -k1,1
}

# start <opts...>: launches the operator, sets started_pid and start_ns
start() {
  start_ns=$(now_ns)
  # shellcheck disable=SC2086
  KAFKA_BOOTSTRAP_SERVERS="$KAFKA" RELOCATOR_API_PORT="$PORT" \
    java $* -jar "$JAR" >>"$WORK/operator.log" 2>&1 &
  started_pid=$!
}

await_ready() {
  local deadline=$(( $(now_ns) + READY_TIMEOUT_SECONDS * 1000000000 ))
  while (( $(now_ns) < deadline )); do
    if ! kill -0 "$started_pid" 2>/dev/null; then
      echo "the operator (pid $started_pid) exited before it was ready; see $WORK/operator.log" >&2
      return 1
    fi
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/q/health/ready")" == 200 ]]; then
      return 0
    fi
    sleep 0.05
  done
  echo "not ready within ${READY_TIMEOUT_SECONDS}s; see $WORK/operator.log" >&2
  return 1
}

stop() {
  kill -TERM "$started_pid"
  local i
  for i in $(seq 1 100); do
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$started_pid" 2>/dev/null || true
  wait "$started_pid" 2>/dev/null || true
  started_pid=""
}

opts_for() {
  case "$1" in
    default) echo "$DEFAULT_OPTS" ;;
    tuned) echo "$TUNED_OPTS" ;;
    dockerfile) echo "$DOCKERFILE_OPTS" ;;
    *) echo "unknown config '$1' (use: default tuned dockerfile)" >&2; exit 2 ;;
  esac
}

if [[ " $CONFIGS " == *" tuned "* && ! -f "$WORK/app.jsa" ]]; then
  # the archive is written when the JVM exits normally (SIGTERM runs the shutdown hooks)
  base_opts=$(opts_for tuned | sed -e 's/-XX:SharedArchiveFile=[^ ]*//')
  start $base_opts -XX:ArchiveClassesAtExit="$WORK/app.jsa"
  await_ready
  stop
  [[ -f "$WORK/app.jsa" ]] || { echo "the CDS archive was not written; see $WORK/operator.log" >&2; exit 1; }
  echo "# CDS archive: $WORK/app.jsa ($(du -k "$WORK/app.jsa" | cut -f1) KiB)" >&2
fi

echo "# $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg), idle ${IDLE_SECONDS}s, Kafka ${KAFKA}"
printf 'config\trun\tready_ms\trss_ready_mib\trss_idle_mib\tidle_cpu_pct\tload1\n'
results="$WORK/results.tsv"
: >"$results"
for config in $CONFIGS; do
  opts=$(opts_for "$config")
  for run in $(seq 1 "$RUNS"); do
    start $opts
    await_ready
    ready_ns=$(now_ns)
    ready_ms=$(( (ready_ns - start_ns) / 1000000 ))
    rss_ready=$(rss_kib "$started_pid")
    t1=$(cpu_ticks "$started_pid"); w1=$(now_ns)
    thread_ticks "$started_pid" >"$WORK/threads-before"
    sleep "$IDLE_SECONDS"
    t2=$(cpu_ticks "$started_pid"); w2=$(now_ns)
    thread_ticks "$started_pid" >"$WORK/threads-after"
    # where the idle CPU went: ticks per thread name over the idle window, busiest first
    join "$WORK/threads-before" "$WORK/threads-after" \
      | awk -v hz="$CLK_TCK" '{ d[$2] += $5 - $3 } END { for (n in d) if (d[n] > 0) printf "%.2f\t%s\n", d[n] / hz, n }' \
      | sort -rn >"$WORK/threads-$config-$run.txt"
    echo "# threads $config/$run (live: $(ls /proc/"$started_pid"/task | wc -l)), CPU seconds in the idle window:" \
      "$(head -5 "$WORK/threads-$config-$run.txt" | tr '\t\n' '= ')"
    rss_idle=$(rss_kib "$started_pid")
    load1=$(cut -d' ' -f1 /proc/loadavg)
    stop
    row=$(awk -v c="$config" -v r="$run" -v ms="$ready_ms" -v a="$rss_ready" -v b="$rss_idle" \
      -v dt="$((t2 - t1))" -v hz="$CLK_TCK" -v ns="$((w2 - w1))" -v l="$load1" \
      'BEGIN { printf "%s\t%d\t%d\t%.1f\t%.1f\t%.2f\t%s\n", c, r, ms, a/1024, b/1024, 100*(dt/hz)/(ns/1e9), l }')
    echo "$row" | tee -a "$results"
  done
done

echo "# medians (ready_ms, rss_ready_mib, rss_idle_mib, idle_cpu_pct)"
for config in $CONFIGS; do
  awk -F'\t' -v c="$config" '
    $1 == c { n++; for (i = 3; i <= 6; i++) v[i, n] = $i }
    function med(col,   a, i, j, t) {
      for (i = 1; i <= n; i++) a[i] = v[col, i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END { if (n) printf "median\t%s\t%d runs\t%d\t%.1f\t%.1f\t%.2f\n", c, n, med(3), med(4), med(5), med(6) }' "$results"
done
echo "# raw rows: $results; operator log: $WORK/operator.log"
