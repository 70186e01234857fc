#!/usr/bin/env bash
# Benchmark: wall time of `bin/pgrds status` as a user sees it, JVM start included, on a 2-node cluster: a real
# PostgreSQL primary and a streaming standby, each behind its own sshd on loopback (the integration test harness),
# read from a real git fleet repository. Runs the command as a subprocess several times and prints best and median,
# and the same for `bin/pgrds --version` as the raw baseline (JVM and CLI start only) and for `bin/pgrds validate`
# (git and loading the fleet, no SSH). Target: status under 2 s.
# Needs root (sshd, runuser).
#   bench/status.sh [runs=7]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" --harness StatusBench "${1:-7}"
