#!/usr/bin/env bash
# Footprint of one operator instance on the host (issue #10 item 4): start -> ready time, RSS at
# ready and after each window, and CPU in two windows after ready, for each JVM configuration,
# RUNS each:
#   - "first": the FIRST_SECONDS after ready (JIT warm-up of the code that first runs after
#     ready is in it: this is the figure earlier sessions reported as "idle");
#   - "steady": STEADY_SECONDS starting WARMUP_SECONDS after ready (what an idle operator costs
#     a node for the rest of its life).
#
#   scripts/bench-footprint.sh                       # 3 runs per config, real broker, 60 s + 60 s
#   RUNS=1 FIRST_SECONDS=20 WARMUP_SECONDS=20 STEADY_SECONDS=20 scripts/bench-footprint.sh
#   KAFKA_MODE=none scripts/bench-footprint.sh       # the old broker-less mode (127.0.0.1:1)
#   KAFKA_BOOTSTRAP_SERVERS=host:9092 scripts/bench-footprint.sh   # a broker you run yourself
#   APP_DIRS="before=/tmp/a/quarkus-app after=operator/target/quarkus-app" scripts/bench-footprint.sh
#
# Kafka: by default (KAFKA_MODE=broker) the script starts a real single-node KRaft broker on
# loopback from the local Maven repository's kafka_2.13 jars (version from the Quarkus BOM of the
# root pom; `mvn dependency:build-classpath` on a generated pom, no image), as the
# operator module's test kit does (dev.relocator.testkit.kafka.KafkaBroker): a deployed operator
# talks to a broker, and without one its producers reconnect every second. The broker's own CPU
# is not counted. KAFKA_MODE=none points the operator at 127.0.0.1:1 (nothing listens) instead.
#
# Runs against the host Docker Engine as a single-node swarm on loopback (the approach of
# dev.relocator.testkit.docker.TestSwarm), with no RelocatableVolume: the instance is manager,
# acting controller and agent at once, and its agent heartbeats to its own controller every second
# (relocator.controller.discovery.manager-addresses=127.0.0.1:PORT). If the engine is not in swarm mode it is initialised,
# and it is left at the end only if this script created it and no other user is registered in
# /tmp/relocator-testswarm-users. Stops only the JVMs it started, by PID. Prints one TSV row per
# run, the medians per build and config, and the busiest threads of each window.
set -euo pipefail

# RELOCATOR_ROOT: the checkout (for deploy/Dockerfile and the pom) when running a copy of this script
ROOT="${RELOCATOR_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
# build label=quarkus-app directory, space separated; APP_DIR alone is the build "current"
APP_DIRS="${APP_DIRS:-current=${APP_DIR:-$ROOT/operator/target/quarkus-app}}"
RUNS="${RUNS:-3}"
FIRST_SECONDS="${FIRST_SECONDS:-${IDLE_SECONDS:-60}}"
WARMUP_SECONDS="${WARMUP_SECONDS:-60}"
STEADY_SECONDS="${STEADY_SECONDS:-60}"
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-120}"
PORT="${PORT:-9494}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
  KAFKA_MODE=external
  KAFKA="$KAFKA_BOOTSTRAP_SERVERS"
else
  KAFKA_MODE="${KAFKA_MODE:-broker}"
  case "$KAFKA_MODE" in
    broker) KAFKA="127.0.0.1:$KAFKA_PORT" ;;
    none) KAFKA=127.0.0.1:1 ;;
    *) echo "KAFKA_MODE=$KAFKA_MODE: use broker (start a local broker) or none (127.0.0.1:1)" >&2; exit 2 ;;
  esac
fi
CONFIGS="${CONFIGS:-tuned dockerfile}"
WORK="${WORK:-$(mktemp -d /tmp/relocator-footprint.XXXXXX)}"
mkdir -p "$WORK"
USERS_DIR=/tmp/relocator-testswarm-users
CLK_TCK=$(getconf CLK_TCK)

# The tuned JVM. Serial GC and a small heap: the operator holds a few hundred objects per volume.
# C1 only: it starts faster and its code cache stays small; the hot paths are not CPU bound.
# AppCDS (a dynamic archive written by a first run) skips class parsing at start.
TUNED_OPTS="-XX:+UseSerialGC -Xms16m -Xmx64m -Xss256k -XX:MaxMetaspaceSize=80m -XX:ReservedCodeCacheSize=32m
 -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseContainerSupport -XX:+ExitOnOutOfMemoryError
 -XX:SharedArchiveFile=@JSA@ -Xlog:cds=off -Xlog:cds+dynamic=off
 -Dquarkus.http.io-threads=1 -Dquarkus.vertx.event-loops-pool-size=1 -Dquarkus.thread-pool.core-threads=1
 -Dquarkus.thread-pool.max-threads=8"
DEFAULT_OPTS=""
# what deploy/Dockerfile ships, read from it so that the figure follows the file
DOCKERFILE_OPTS="$(sed -n 's/^ENV JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/deploy/Dockerfile")"


declare -A APP
BUILDS=""
for spec in $APP_DIRS; do
  label="${spec%%=*}"; dir="${spec#*=}"
  if [[ "$label" == "$spec" || ! "$label" =~ ^[A-Za-z0-9_-]+$ ]]; then
    echo "APP_DIRS entry '$spec' is not label=directory (label of A-Z a-z 0-9 _ -)" >&2; exit 2
  fi
  if [[ ! -f "$dir/quarkus-run.jar" ]]; then
    echo "no $dir/quarkus-run.jar: build it first with  mvn -B -q -pl operator -am package -DskipTests" >&2
    exit 2
  fi
  APP[$label]="$(cd "$dir" && pwd)"
  BUILDS="$BUILDS $label"
done
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if port_open "$PORT"; then
  echo "something already listens on 127.0.0.1:$PORT; stop it or set PORT=<free port>" >&2
  exit 2
fi

created_swarm=0
started_pid=""
broker_pid=""
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

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  if [[ -n "$started_pid" ]]; then stop_pid "$started_pid"; fi
  if [[ -n "$broker_pid" ]]; then stop_pid "$broker_pid"; echo "# stopped the Kafka broker (pid $broker_pid)" >&2; fi
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

# A real single-node KRaft broker (broker + controller) on loopback, as the test kit's KafkaBroker
# runs it: Kafka's jars only, resolved offline from ~/.m2 with the Quarkus BOM of the root pom.
start_broker() {
  local dir="$WORK/kafka" bom cp uuid controller_port=$((KAFKA_PORT + 1)) i
  if port_open "$KAFKA_PORT" || port_open "$controller_port"; then
    echo "127.0.0.1:$KAFKA_PORT or :$controller_port is taken; set KAFKA_PORT=<free port> (the next one is the controller's)" >&2
    exit 2
  fi
  mkdir -p "$dir"
  bom=$(sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.relocator.bench</groupId><artifactId>footprint-broker</artifactId><version>1</version><packaging>pom</packaging>
  <dependencyManagement><dependencies><dependency>
    <groupId>io.quarkus</groupId><artifactId>quarkus-bom</artifactId><version>$bom</version><type>pom</type><scope>import</scope>
  </dependency></dependencies></dependencyManagement>
  <dependencies><dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId></dependency></dependencies>
</project>
POM
  if ! mvn -B -q -f "$dir/pom.xml" dependency:build-classpath -Dmdep.outputFile="$dir/cp.txt" >"$dir/mvn.log" 2>&1; then
    echo "cannot resolve the kafka_2.13 jars (see $dir/mvn.log); fetch them once with" \
      "mvn -B -q -f $dir/pom.xml dependency:build-classpath, or use KAFKA_MODE=none" >&2
    exit 2
  fi
  cp=$(cat "$dir/cp.txt")
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
PROPS
  local jvm=(java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    "-Dkafka.logs.dir=$dir/logs" -cp "$cp")
  uuid=$("${jvm[@]}" kafka.tools.StorageTool random-uuid 2>>"$dir/broker.log" | tail -1)
  "${jvm[@]}" kafka.tools.StorageTool format --cluster-id "$uuid" --config "$dir/server.properties" >>"$dir/broker.log" 2>&1 \
    || { echo "formatting the broker's storage failed; see $dir/broker.log" >&2; exit 1; }
  "${jvm[@]}" kafka.Kafka "$dir/server.properties" >>"$dir/broker.log" 2>&1 &
  broker_pid=$!
  for i in $(seq 1 600); do
    kill -0 "$broker_pid" 2>/dev/null || { echo "the broker exited; see $dir/broker.log" >&2; broker_pid=""; exit 1; }
    if port_open "$KAFKA_PORT"; then
      echo "# Kafka broker $KAFKA (pid $broker_pid, $(basename "$(tr ':' '\n' <"$dir/cp.txt" | grep '/kafka_2.13-')" .jar)), log $dir/broker.log" >&2
      return 0
    fi
    sleep 0.1
  done
  echo "the broker did not listen on $KAFKA within 60 s; see $dir/broker.log" >&2
  exit 1
}

if [[ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]]; then
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null
  created_swarm=1
  echo "# initialised a single-node swarm on loopback (will leave it at the end)" >&2
fi
if [[ "$KAFKA_MODE" == broker ]]; then
  start_broker
fi

now_ns() { date +%s%N; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# the RSS split: anonymous (heap, metaspace, code, stacks, malloc) and file-backed (jars, the CDS archive, libjvm)
rss_split() { awk '/^RssAnon:/ {a = $2} /^RssFile:/ {f = $2} END {printf "%.1f\t%.1f", a / 1024, f / 1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# per-thread CPU ticks as "tid name ticks" (Java puts the thread name, cut to 15 chars, in comm)
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' <"$t/comm" 2>/dev/null)" "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)"
  done 2>/dev/null | sort -k1,1
}
# CPU seconds per thread name between two thread_ticks files, busiest first
thread_split() {
  join "$1" "$2" \
    | awk -v hz="$CLK_TCK" '{ d[$2] += $5 - $3 } END { for (n in d) if (d[n] > 0) printf "%.2f\t%s\n", d[n] / hz, n }' \
    | sort -rn
}

# start <jar> <opts...>: launches the operator, sets started_pid and start_ns
start() {
  local jar=$1
  shift
  start_ns=$(now_ns)
  # the agent renews its lease with this instance's controller, as on a one-node cluster (there is
  # no tasks.relocator DNS name on the host to discover it by): heartbeats and acks are part of idle
  # shellcheck disable=SC2086
  env ${OPERATOR_ENV:-} KAFKA_BOOTSTRAP_SERVERS="$KAFKA" RELOCATOR_API_PORT="$PORT" \
    RELOCATOR_CONTROLLER_DISCOVERY_MANAGER_ADDRESSES="127.0.0.1:$PORT" java $* -jar "$jar" >>"$WORK/operator.log" 2>&1 &
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
  stop_pid "$started_pid"
  started_pid=""
}

# EXTRA_OPTS (e.g. -Drelocator.lease.tick=200ms) go to every configuration, OPERATOR_ENV (e.g.
# MALLOC_ARENA_MAX=2) into its environment: what-if runs. With -XX:NativeMemoryTracking=summary
# in EXTRA_OPTS the JVM's own memory split is written to nmt-<build>-<config>-<run>.txt.
opts_for() {
  case "$2" in
    default) echo "$DEFAULT_OPTS ${EXTRA_OPTS:-}" ;;
    tuned) echo "${TUNED_OPTS//@JSA@/$WORK/app-$1.jsa} ${EXTRA_OPTS:-}" ;;
    dockerfile) echo "$DOCKERFILE_OPTS ${EXTRA_OPTS:-}" ;;
    *) echo "unknown config '$2' (use: default tuned dockerfile)" >&2; exit 2 ;;
  esac
}

if [[ " $CONFIGS " == *" tuned "* ]]; then
  for build in $BUILDS; do
    [[ -f "$WORK/app-$build.jsa" ]] && continue
    # one archive per build (it records the jars it was made from); written when the JVM exits
    # normally (SIGTERM runs the shutdown hooks)
    base_opts=$(opts_for "$build" tuned | sed -e 's/-XX:SharedArchiveFile=[^ ]*//')
    start "${APP[$build]}/quarkus-run.jar" $base_opts -XX:ArchiveClassesAtExit="$WORK/app-$build.jsa"
    await_ready
    stop
    [[ -f "$WORK/app-$build.jsa" ]] || { echo "the CDS archive was not written; see $WORK/operator.log" >&2; exit 1; }
    echo "# CDS archive of $build: $WORK/app-$build.jsa ($(du -k "$WORK/app-$build.jsa" | cut -f1) KiB)" >&2
  done
fi

echo "# $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg), Kafka $KAFKA ($KAFKA_MODE),${EXTRA_OPTS:+ extra options: $EXTRA_OPTS,}" \
  "windows: first ${FIRST_SECONDS}s after ready, steady ${STEADY_SECONDS}s from ${WARMUP_SECONDS}s after ready"
for build in $BUILDS; do echo "# build $build: ${APP[$build]}"; done
printf 'build\tconfig\trun\tready_ms\trss_ready_mib\trss_first_mib\trss_steady_mib\tcpu_first_pct\tcpu_steady_pct\tload1\tanon_steady_mib\tfile_steady_mib\n'
results="$WORK/results.tsv"
: >"$results"
# the measuring process itself sleeps through the windows: one sample at each edge
for run in $(seq 1 "$RUNS"); do
  # builds and configs interleaved per run, so that a change of machine load spreads over all of them
  for build in $BUILDS; do
    for config in $CONFIGS; do
      opts=$(opts_for "$build" "$config")
      tag="$build-$config-$run"
      start "${APP[$build]}/quarkus-run.jar" $opts
      await_ready
      ready_ns=$(now_ns)
      ready_ms=$(( (ready_ns - start_ns) / 1000000 ))
      rss_ready=$(rss_kib "$started_pid")
      a_t=$(cpu_ticks "$started_pid"); a_w=$(now_ns); thread_ticks "$started_pid" >"$WORK/threads-a"
      sleep "$FIRST_SECONDS"
      b_t=$(cpu_ticks "$started_pid"); b_w=$(now_ns); thread_ticks "$started_pid" >"$WORK/threads-b"
      rss_first=$(rss_kib "$started_pid")
      rest=$(( WARMUP_SECONDS - FIRST_SECONDS ))
      if (( rest > 0 )); then sleep "$rest"; fi
      c_t=$(cpu_ticks "$started_pid"); c_w=$(now_ns); thread_ticks "$started_pid" >"$WORK/threads-c"
      sleep "$STEADY_SECONDS"
      d_t=$(cpu_ticks "$started_pid"); d_w=$(now_ns); thread_ticks "$started_pid" >"$WORK/threads-d"
      rss_steady=$(rss_kib "$started_pid")
      split=$(rss_split "$started_pid")
      if [[ "${EXTRA_OPTS:-}" == *NativeMemoryTracking* ]]; then
        jcmd "$started_pid" VM.native_memory summary >"$WORK/nmt-$tag.txt" 2>&1 || true
      fi
      load1=$(cut -d' ' -f1 /proc/loadavg)
      threads=$(ls /proc/"$started_pid"/task | wc -l)
      stop
      thread_split "$WORK/threads-a" "$WORK/threads-b" >"$WORK/threads-first-$tag.txt"
      thread_split "$WORK/threads-c" "$WORK/threads-d" >"$WORK/threads-steady-$tag.txt"
      for w in first steady; do
        echo "# threads $tag $w ($threads live), CPU s:" "$(head -8 "$WORK/threads-$w-$tag.txt" | tr '\t\n' '= ')"
      done
      row=$(awk -v b="$build" -v c="$config" -v r="$run" -v ms="$ready_ms" -v ra="$rss_ready" -v rb="$rss_first" -v rd="$rss_steady" \
        -v d1="$((b_t - a_t))" -v n1="$((b_w - a_w))" -v d2="$((d_t - c_t))" -v n2="$((d_w - c_w))" -v hz="$CLK_TCK" -v l="$load1" \
        -v sp="$split" 'BEGIN { printf "%s\t%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f\t%s\t%s\n", b, c, r, ms, ra/1024, rb/1024, rd/1024,
                 100*(d1/hz)/(n1/1e9), 100*(d2/hz)/(n2/1e9), l, sp }')
      echo "$row" | tee -a "$results"
    done
  done
done

echo "# medians: build config runs ready_ms rss_ready_mib rss_first_mib rss_steady_mib cpu_first_pct cpu_steady_pct"
for build in $BUILDS; do
  for config in $CONFIGS; do
    awk -F'\t' -v b="$build" -v c="$config" '
      $1 == b && $2 == c { n++; for (i = 4; i <= 9; i++) v[i, n] = $i }
      function med(col,   a, i, j, t) {
        for (i = 1; i <= n; i++) a[i] = v[col, i]
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      }
      END { if (n) printf "median\t%s\t%s\t%d runs\t%d\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f\n", b, c, n, med(4), med(5), med(6), med(7), med(8), med(9) }' "$results"
  done
done
# the per-thread split, summed over the runs of each build/config and window, divided by the runs
for w in first steady; do
  for build in $BUILDS; do
    for config in $CONFIGS; do
      echo "# mean CPU s per run by thread, $w window, $build/$config:" "$(cat "$WORK"/threads-"$w"-"$build"-"$config"-*.txt 2>/dev/null \
        | awk -v n="$RUNS" '{ s[$2] += $1 } END { for (k in s) printf "%.2f\t%s\n", s[k] / n, k }' | sort -rn | head -10 | tr '\t\n' '= ')"
    done
  done
done
echo "# raw rows: $results; per-thread files: $WORK/threads-*.txt; operator log: $WORK/operator.log"
