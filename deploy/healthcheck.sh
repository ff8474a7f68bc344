#!/bin/bash
# Readiness probe without curl or wget (neither is in a JRE base image): bash's /dev/tcp. dash
# (Debian's /bin/sh) has no /dev/tcp, hence the explicit bash. UP only when /q/health/ready says so.
set -u
port="${RELOCATOR_API_PORT:-9494}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /q/health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
status=""
read -r -t 2 status <&3 || exit 1
case "$status" in
  *" 200 "*) exit 0 ;;
  *) exit 1 ;;
esac
