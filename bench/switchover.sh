#!/usr/bin/env bash
# Benchmark: the unavailability window of a planned switchover by `pgrds apply`, and acknowledged commits lost.
# Two harness nodes (real sshd and PostgreSQL 15 on their own 127.0.0.x) form a cluster pgrds creates; a writer
# commits single-row inserts without pause through a multi-host JDBC URL with targetServerType=primary. The
# primary pin is moved back and forth N times, each followed by `pgrds apply --auto-approve` (in-process); the
# window is the longest pause between two acknowledged commits. Then a few switchovers by `java -jar
# target/pgrds.jar apply`, a new JVM each as an operator runs it. Raw floor in the same run, same nodes, same
# writer: `pg_ctl stop -m fast` + `pg_ctl promote -w` by hand. Prints windows, median and max, the ratio, lost
# commits (must be 0) and where the time goes. Beside the JDBC writer, a second client starts a psql process per
# commit through a multi-host libpq URL (target_session_attrs=read-write): its windows are reported apart. pgrds acts
# as postgres through sudo unless the fourth argument says runuser. Targets: JDBC at most 0.5 s, psql at most 0.4 s,
# 0 lost. Needs root. Takes about two minutes.
#   bench/switchover.sh [runs=5] [raw-runs=runs] [new-jvm-runs=2] [become=sudo]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" --harness SwitchoverBench "${1:-5}" "${2:-${1:-5}}" "${3:-2}" \
  "${4:-sudo}"
