#!/usr/bin/env bash
# The test command of the README: installs what is missing, starts a Docker
# Engine if none runs, then runs unit tests, the deterministic simulation,
# integration tests (real Kafka broker, real Docker Engine) and the CI profile
# of the chaos tests. Exits non-zero on any failure.
#
#   scripts/test.sh                 # everything, chaos profile "ci"
#   scripts/test.sh -Pfull          # long chaos profile
#   scripts/test.sh -DskipITs       # quick loop: unit tests + simulation, no Docker
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quick=false
for a in "$@"; do [ "$a" = "-DskipITs" ] && quick=true; done

ensure_packages
if [ "$quick" = false ]; then
  ensure_engine
  ensure_socket_access
fi

export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
say "running: mvn verify -Pci $*"
start=$(date +%s)
mvn_cmd verify -Pci "$@"
say "all tests passed in $(( $(date +%s) - start )) s"
