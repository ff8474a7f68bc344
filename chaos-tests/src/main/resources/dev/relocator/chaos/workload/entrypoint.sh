#!/bin/sh
# Entry point of the writer image. A fencing wrapper is plugged in with WRITER_WRAPPER: a command
# that receives the writer command as its arguments and runs it while its lease is fresh.
exec ${WRITER_WRAPPER:-} /writer/writer.sh
