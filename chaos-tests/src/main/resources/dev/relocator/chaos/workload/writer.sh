#!/bin/sh
# The writer workload. Each tick it appends one record to the relocatable volume, makes it durable
# (fdatasync), and only then acknowledges it on a node-local path that never relocates. The harness
# reads those acknowledgements as the client side of the history (invoke before the append, ok after
# the fdatasync, info when the append failed: its effect is unknown).
#
# Kept in small functions so a fencing wrapper can refuse writes without editing this file:
# MAY_WRITE_HOOK names a command run before every append; non-zero means "do not write".
set -u
CONTAINER="$(hostname)"
WRITER="${WRITER:-$CONTAINER}"
NODE="${NODE:-unknown}"
DATA_FILE="${DATA_DIR:-/data}/writes.jsonl"
ACK_FILE="${ACK_DIR:-/acks}/${NODE}.${WRITER}.jsonl"
INTERVAL="${INTERVAL:-0.2}"

# wall clock in milliseconds; busybox date has no %N, so read the kernel time with adjtimex.
# Its "tv_usec" field holds NANOseconds when the kernel clock is in STA_NANO mode (status bit
# 0x2000, set on many hosts by their time daemon): without this check a millisecond field of
# 5 or 6 digits corrupts the record times.
now_ms() {
  adjtimex | awk '/status:/ {st=$2} /tv_sec/ {s=$2} /tv_usec/ {u=$2}
    END { f = (int(st / 8192) % 2 == 1) ? 1000000 : 1000; printf "%d%03d", s, int(u / f) }'
}

client_op() { # type seq record-time
  printf '{"time":%s,"process":"%s","type":"%s","f":"write","value":{"seq":%s,"node":"%s","container":"%s","time":%s}}\n' \
    "$(now_ms)" "$WRITER" "$1" "$2" "$NODE" "$CONTAINER" "$3" >> "$ACK_FILE"
}

append_record() { # seq record-time
  printf '{"writer":"%s","container":"%s","node":"%s","seq":%s,"time":%s}\n' \
    "$WRITER" "$CONTAINER" "$NODE" "$1" "$2" >> "$DATA_FILE" && sync -d "$DATA_FILE"
}

may_write() {
  [ -z "${MAY_WRITE_HOOK:-}" ] || $MAY_WRITE_HOOK
}

write_once() { # seq
  t="$(now_ms)"
  may_write || return 0
  client_op invoke "$1" "$t"
  if append_record "$1" "$t"; then
    client_op ok "$1" "$t"
  else
    client_op info "$1" "$t"
  fi
}

trap 'exit 0' TERM INT
seq=0
while :; do
  seq=$((seq + 1))
  write_once "$seq"
  sleep "$INTERVAL"
done
