#!/usr/bin/env bash
# Lab benchmarks (issue #10 items 1, 2, 3 and 5): failover time distribution for Relocator and for
# plain Swarm's own rescheduling in the same lab and session, mass failover, event-to-action lag,
# Kafka state-change -> consumer latency. Not part of CI: the default session takes about an hour.
#
#   scripts/bench-lab.sh                                   # 20 runs x {crash, partition} x {relocator, swarm}, mass 10/25/50
#   scripts/bench-lab.sh --runs=3 --mass=10                # a short session
#   scripts/bench-lab.sh --runs=0 --mass=50 --mass-reps=2  # mass failover only
#   scripts/bench-lab.sh --runs=20 --mass= --managers=3    # failover in a 3-manager + 2-worker lab
#   scripts/bench-lab.sh --report DIR                      # summarise a stored session again
#
# Options go to dev.relocator.chaos.bench.LabBench: --runs --faults --systems --mass --mass-reps --managers --out.
# Output (default chaos-tests/target/bench-lab/<UTC time>/): failover.jsonl, mass.jsonl, kafka.jsonl,
# session.jsonl (one JSON line per run, written as each run ends), summary.json, summary.md, and
# runs/<service>/history.jsonl (each run's history, re-checkable with checker.Recheck).
# The lab is a Docker-in-Docker Swarm on the host engine, removed at the end (and by the next lab
# start if this JVM is killed).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CP_FILE="$ROOT/chaos-tests/target/bench-classpath.txt"
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost

build() {
  echo "[bench-lab] building the operator (Quarkus fast-jar) and the lab (mvn package, tests skipped)" >&2
  (cd "$ROOT" && mvn -B -q -pl chaos-tests -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime)
}

# The session runs from a private copy of this worktree's build output (chaos-tests classes, the
# operator jars): a long session must not load classes from a target/ that a later build rewrites.
run_java() { # dir main args...
  local dir="$1"; shift
  mkdir -p "$dir/cp"
  rm -rf "$dir/cp/classes" && cp -r "$ROOT/chaos-tests/target/classes" "$dir/cp/classes"
  local cp="$dir/cp/classes" jar
  for jar in $(tr ':' ' ' < "$CP_FILE"); do
    case "$jar" in
      "$ROOT"/*) cp "$jar" "$dir/cp/"; cp="$cp:$dir/cp/$(basename "$jar")" ;;
      *) cp="$cp:$jar" ;;
    esac
  done
  (cd "$ROOT" && exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Xmx512m -cp "$cp" "$@")
}

if [ "${1:-}" = "--report" ]; then
  [ $# -eq 2 ] && [ -d "$2" ] || { echo "usage: scripts/bench-lab.sh --report <session directory>" >&2; exit 64; }
  [ -f "$CP_FILE" ] || build
  run_java "$(mktemp -d)" dev.relocator.chaos.bench.LabBenchReport "$2"
  exit 0
fi

for a in "$@"; do
  case "$a" in
    --out=*) ;;
    --runs=*|--faults=*|--systems=*|--mass=*|--mass-reps=*|--managers=*) ;;
    *) echo "unknown option '$a'; see the header of $0" >&2; exit 64 ;;
  esac
done
out="$ROOT/chaos-tests/target/bench-lab/$(date -u +%Y%m%dT%H%M%SZ)"
for a in "$@"; do case "$a" in --out=*) out="${a#--out=}" ;; esac; done
[ "${SKIP_BUILD:-0}" = 1 ] && [ -f "$CP_FILE" ] || build
mkdir -p "$out"
{ echo "date: $(date -u +%FT%TZ)"; echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)"; echo "uptime: $(uptime)";
  echo "nproc: $(nproc)"; echo "args: $*"; } > "$out/machine.txt"
echo "[bench-lab] output in $out" >&2
run_java "$out" dev.relocator.chaos.bench.LabBench --out="$out" "$@" 2>&1 | tee "$out/bench.log"
echo "uptime at end: $(uptime)" >> "$out/machine.txt"
