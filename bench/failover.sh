#!/usr/bin/env bash
# Benchmark: automatic failover when the host of the primary dies. Three harness nodes (real sshd and PostgreSQL 15
# on their own 127.0.0.x), durability {quorum: 1}, failover: automatic with the built-in timing (a health check every
# 1 s, the primary lost after 4 s), the daemon on the clustered job store of a fourth node; a writer commits without
# pause through a multi-host URL and records every acknowledged commit. Each round SIGKILLs every PostgreSQL process
# of the primary and stops its sshd (the host is gone), then waits for writes to come back. The write gap is the
# longest the writer went without an acknowledged commit from the death on. Beside it, the floor, the same rounds with
# the same writer: at the moment of death, by hand, `pg_ctl promote` on the most advanced standby and the other
# standby repointed to it (no detection time at all). Prints per scenario the write gap median and max, acknowledged
# commits and lost (must be 0), then the ratio of the medians. Goal: median <= 10 s. Needs root. About 5 minutes.
#   bench/failover.sh [rounds=5] [mvn args...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
shift || true
set +e
ROUNDS="$rounds" ONLY='AutoFailoverIT#theHostOfThePrimaryDies*+floorPromotedByHand*' "$here/bench/faults.sh" \
  -Dpgrds.bench.floor=true "$@"
status=$?
set -e
report="$here/target/faults-report.tsv"
[ -s "$report" ] || exit "$status"
awk -F'\t' '
  function median(list, n,   a, i, j, t) {
    split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  NR == 1 || $9 == "-" || NF < 9 { next }
  { k = ($1 ~ /floor/) ? "floor" : "pgrds"; g[k] = g[k] " " $9; n[k]++ }
  END {
    if (n["pgrds"] && n["floor"]) {
      p = median(g["pgrds"], n["pgrds"]); f = median(g["floor"], n["floor"])
      printf "\nfailover: write gap median %.2f s with pgrds (%d rounds), %.2f s promoted by hand at the moment of death (%d rounds): ratio %.1f\n", p / 1000, n["pgrds"], f / 1000, n["floor"], p / f
      print "the difference is detection (failoverAfter, 4 s by default) plus observing, planning and the checks before the promotion"
    }
  }' "$report"
exit "$status"
