#!/usr/bin/env bash
# Benchmark: observing 1 node vs N nodes (default 20), each behind a loopback TCP proxy that adds 50 ms per direction
# (100 ms round trip) in front of its own real sshd (the integration test harness: one 127.0.0.x, sshd and
# PostgreSQL per node). Node 1 is a running primary (SSH probe + SQL), the others are EMPTY (SSH probe only). Each
# run is what one `pgrds status` pays: connect, host key, authentication, probe, SQL, close. Prints best and median
# wall times of both, their ratio, the same without the proxies as a baseline, and per node the SSH connections,
# commands and network round trips. Target: N nodes under 2x one node. Needs root (sshd, runuser).
#   bench/observe.sh [nodes=20] [rounds=5] [one-way-ms=50]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" --harness ObserveBench "${1:-20}" "${2:-5}" "${3:-50}"
