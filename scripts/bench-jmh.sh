#!/usr/bin/env bash
# Runs the operator's JMH benchmarks (operator/src/test/java/dev/relocator/bench) through the
# `bench` Maven profile, with settings short enough for a shared machine, and keeps the results.
#
#   scripts/bench-jmh.sh                                  # both benchmarks
#   scripts/bench-jmh.sh EventDecodeBenchmark             # one (a JMH regex)
#   JMH_OPTS="-f 3 -wi 5 -i 10" scripts/bench-jmh.sh      # longer
#
# Results: $OUT/<name>.txt (JMH's report), $OUT/<name>.json, and $OUT/<name>.md (medians over all
# iterations of all forks, ratios to the class's baseline* benchmark); the environment (cores, load
# average before and after) is printed and written to $OUT/env.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-$ROOT/operator/target/bench}"
JMH_OPTS="${JMH_OPTS:--f 2 -wi 3 -i 5 -w 2s -r 2s}"
PATTERNS=("$@")
[[ ${#PATTERNS[@]} -gt 0 ]] || PATTERNS=(EventDecodeBenchmark ReconcileBenchmark)

mkdir -p "$OUT"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty')"
  echo "jmh: $JMH_OPTS"
} | tee "$OUT/env.txt"

for p in "${PATTERNS[@]}"; do
  echo "load average before $p: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/env.txt"
  (cd "$ROOT" && mvn -B -q -pl operator -am -Pbench process-test-classes \
      -Djmh.args="$p $JMH_OPTS -rf json -rff $OUT/$p.json -o $OUT/$p.txt")
  echo "load average after $p: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/env.txt"
  sed -n '/^Benchmark/,$p' "$OUT/$p.txt"
  "$ROOT/scripts/bench-summary.py" "$OUT/$p.json" | tee "$OUT/$p.md"
done
