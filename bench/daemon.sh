#!/usr/bin/env bash
# Benchmark: the reconcile daemon over 100 clusters of two nodes each (a generated fleet repository) on a simulated
# transport: each node answers the probe with a healthy primary's or standby's canned facts after 5–20 ms, SQL is
# refused at once, policy observe (nothing applied). In-process: prints one full cycle (a signed push on the webhook
# until every cluster has run), best and worst of 3 after a warm-up, the JVM's VmRSS, and as the raw baseline the same
# reads + observations + plans one after the other without Quartz, with the ratio. Targets: cycle < 10 s, RSS < 256 MB.
#   bench/daemon.sh [clusters=100] [threads=4]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" DaemonBench "${1:-100}" "${2:-4}"
