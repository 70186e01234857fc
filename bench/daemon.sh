#!/usr/bin/env bash
# Benchmark: the reconcile daemon over 100 clusters of two nodes each (a generated fleet repository) on a simulated
# transport: each node answers the probe with a healthy primary's or standby's canned facts after 5–20 ms, SQL is
# refused at once, policy observe (nothing applied). In-process: prints one full cycle (a signed push on the webhook
# until every cluster has run), best and worst of 3 after a warm-up, the JVM's VmRSS, and as the raw baseline the same
# reads + observations + plans one after the other without Quartz, with the ratio. Targets: cycle < 10 s, RSS < 256 MB.
#   bench/daemon.sh [clusters=100] [threads=4]
# --watched: the steady cost of automatic failover: 100 clusters with failover: automatic, each primary checked every
# second over a kept-open JDBC session to one real PostgreSQL (a harness node, also the job store; needs root); CPU
# of the daemon JVM over 30 s and its RSS. Targets: at most 0.3 of a core, RSS < 256 MB.
#   bench/daemon.sh --watched [clusters=100]
set -euo pipefail
if [ "${1:-}" = --watched ]; then
  exec "$(dirname "${BASH_SOURCE[0]}")/run-main" --harness WatchBench "${2:-100}"
fi
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" DaemonBench "${1:-100}" "${2:-4}"
