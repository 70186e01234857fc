#!/usr/bin/env bash
# Benchmark: a new cluster restored from a backup by `pgrds apply`, next to a raw pgBackRest restore of the same
# backup. Two harness nodes (real sshd and PostgreSQL 15 on their own 127.0.0.x); pgrds creates a cluster that
# archives into a posix repository, pgbench -i fills it (1024 MB by default), `pgrds backup --type full`, one row
# written after it and archived. Then, after one untimed restore of each kind, in each round (which goes first
# alternates) on the other node: raw `pgbackrest restore --type=default` (latest, as pgrds passes it) into an empty
# directory + `pg_ctl start -w` + poll until writable, and `pgrds apply --auto-approve` (in-process) of a cluster
# whose bootstrap is `restore: {from: bench/source, target: {latest: true}}`. Each copy is checked and removed
# before the next. Prints each time, the medians, the ratio (target: at most 1.1x) and where the time goes. Needs
# root and 6 GiB free in /tmp (it refuses otherwise). About 2 minutes at the defaults; BENCH_LOGS=1 also prints
# each copy's server log and the apply output.
#   bench/restore.sh [size-mb=1024] [runs=2]      or      SIZE_MB=200 RUNS=1 bench/restore.sh
set -euo pipefail
# pgrds runs in this JVM with the garbage collector bin/pgrds gives the CLI and the daemon (serial: no concurrent GC
# threads competing with pgBackRest on a small machine); BENCH_JAVA_OPTS overrides it
export BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS--XX:+UseSerialGC}"
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" --harness RestoreBench "${1:-${SIZE_MB:-1024}}" "${2:-${RUNS:-2}}"
