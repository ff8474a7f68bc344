#!/usr/bin/env bash
# Installs what the tests and the demo need on a Debian/Ubuntu machine and starts
# a Docker Engine if none runs. Safe to run again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_packages
ensure_engine
ensure_socket_access
