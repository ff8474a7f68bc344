# Shared shell helpers for Relocator's scripts. Sourced, not run.
# Everything here is idempotent: running a script twice, or with an engine
# already up, changes nothing that is already right.

RELOCATOR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RELOCATOR_STATE="${RELOCATOR_STATE:-/var/lib/relocator-dev}"
DOCKERD_LOG="${RELOCATOR_STATE}/dockerd.log"

say()  { printf '\033[1;34m[relocator]\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m[relocator]\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31m[relocator] error:\033[0m %s\n' "$*" >&2; exit 1; }

# as_root CMD... runs CMD as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root. Run this command as root (or install sudo and grant yourself rights), or install by hand: $REQUIRED_PACKAGES"
  fi
}

REQUIRED_PACKAGES="openjdk-17-jdk-headless maven docker.io debootstrap busybox-static iptables iproute2 ca-certificates"

# Debian package name -> a command that proves it is installed.
pkg_present() {
  case "$1" in
    openjdk-17-jdk-headless) java_ok ;;
    maven) command -v mvn >/dev/null 2>&1 ;;
    docker.io) command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 ;;
    debootstrap) command -v debootstrap >/dev/null 2>&1 ;;
    busybox-static) [ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 && ! ldd /bin/busybox >/dev/null 2>&1 ;;
    iptables) command -v iptables >/dev/null 2>&1 ;;
    iproute2) command -v ip >/dev/null 2>&1 ;;
    ca-certificates) [ -d /etc/ssl/certs ] ;;
    *) dpkg -s "$1" >/dev/null 2>&1 ;;
  esac
}

java_ok() {
  command -v javac >/dev/null 2>&1 || return 1
  local v
  v="$(javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/')"
  [ "${v:-0}" -ge 17 ] 2>/dev/null
}

ensure_packages() {
  local missing=()
  for p in $REQUIRED_PACKAGES; do
    pkg_present "$p" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "host packages present (JDK 17, Maven, docker.io, debootstrap, busybox-static, iptables, iproute2)"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    die "no apt-get on this machine. Install these by hand and run again: ${missing[*]} (a JDK 17+, Maven 3.8+, a Docker Engine, debootstrap, a static busybox)"
  fi
  say "installing with apt-get: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q >/dev/null || warn "apt-get update failed; trying the install with the current package lists"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}. Install them by hand and run again."
}

engine_up() { docker info >/dev/null 2>&1; }

# Starts a Docker Engine unless one already answers. Never restarts or stops a running one.
ensure_engine() {
  if [ -n "${DOCKER_HOST:-}" ]; then
    engine_up || die "DOCKER_HOST=${DOCKER_HOST} does not answer 'docker info'. Start that engine, or unset DOCKER_HOST to use a local one."
    say "using the Docker Engine at DOCKER_HOST=${DOCKER_HOST}"
    return 0
  fi
  if engine_up; then
    say "Docker Engine already running ($(docker version --format '{{.Server.Version}}' 2>/dev/null)); leaving it alone"
    return 0
  fi
  as_root mkdir -p "$RELOCATOR_STATE"
  if [ "$(ps -p 1 -o comm= 2>/dev/null)" = "systemd" ] && command -v systemctl >/dev/null 2>&1; then
    say "starting the Docker Engine with systemctl"
    as_root systemctl start docker || warn "systemctl start docker failed; starting dockerd directly"
  fi
  if ! engine_up; then
    say "starting dockerd in the background (log: $DOCKERD_LOG)"
    as_root sh -c "nohup dockerd >'$DOCKERD_LOG' 2>&1 &"
  fi
  local i
  for i in $(seq 1 60); do
    engine_up && { say "Docker Engine is up ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"; return 0; }
    sleep 1
  done
  die "the Docker Engine did not answer within 60 s. See $DOCKERD_LOG; on a host where dockerd cannot run, point DOCKER_HOST at an engine."
}

# The test and lab processes run as this user; they need the engine's socket.
ensure_socket_access() {
  if [ -z "${DOCKER_HOST:-}" ] && [ -S /var/run/docker.sock ] && ! [ -w /var/run/docker.sock ]; then
    die "no write access to /var/run/docker.sock. Run as root, or add yourself to the 'docker' group and log in again."
  fi
}

mvn_cmd() {
  local args=(-B -ntp)
  [ -n "${MAVEN_ARGS_EXTRA:-}" ] && args+=($MAVEN_ARGS_EXTRA)
  (cd "$RELOCATOR_ROOT" && mvn "${args[@]}" "$@")
}
