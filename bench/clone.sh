#!/usr/bin/env bash
# Benchmark: adding a standby with `pgrds apply` next to a raw pg_basebackup of the same primary. Two harness
# nodes (real sshd and PostgreSQL 15 on their own 127.0.0.x); pgrds creates the primary, pgbench -i fills it
# (scale 70 by default: about 1 GB), then in each round (which goes first alternates) a raw `pg_basebackup -X
# stream -c fast` (as pgrds runs it) into an empty directory on the other node, and the pgrds clone of that node
# (added to the file, later wiped; apply --auto-approve, in-process). Prints the size, both times per round and
# their medians, the ratio (target: at most 1.1x) and where the clone action's time goes. Needs root. About 1.5
# minutes at the default scale and 4 rounds; smaller with SCALE=10 (or an argument), fewer rounds with ROUNDS=1.
#   bench/clone.sh [scale=70] [rounds=4]      or      SCALE=10 ROUNDS=1 bench/clone.sh
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" --harness CloneBench "${1:-${SCALE:-70}}" "${2:-${ROUNDS:-4}}"
