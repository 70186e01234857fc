#!/usr/bin/env bash
# The fault suite, many rounds: every scenario of src/test/java/io/pgrds/faults (io.pgrds.faults.*IT), run by Maven
# Failsafe ROUNDS times each (default 20) against real sshd, PostgreSQL and git repositories (the integration test
# harness) under continuous writes, then a table from target/faults-report.tsv: per scenario the rounds run and
# passed, the acknowledged commits checked, how many were lost, the seconds with two writable primaries, the median
# seconds to converge and per round, and the first failure. Exits with Maven's status (non-zero when a round
# failed). Needs root. 20 rounds of every scenario take about an hour; ONLY=PartitionIT runs one class.
#   bench/faults.sh [mvn args...]          ROUNDS=5 ONLY=CrashBeforeApplyIT bench/faults.sh -o
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [ "$(id -u)" != 0 ]; then
  echo "bench: run as root (the harness starts sshd and acts as postgres through runuser)" >&2
  exit 2
fi
"$here/bin/install-deps"
export LANG=C.UTF-8
rounds="${ROUNDS:-20}"
only="${ONLY:-*IT}"
report="$here/target/faults-report.tsv"
log="$here/target/faults-mvn.log"
mkdir -p target
rm -f "$report"
echo "fault suite: io.pgrds.faults.$only, $rounds rounds each; Maven's output in $log" >&2
set +e
mvn -B verify -Dit.test="io.pgrds.faults.$only" -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dpgrds.faults.rounds="$rounds" -Dpgrds.faults.report="$report" "$@" 2>&1 \
  | tee "$log" | grep --line-buffered -E '^(fault round|fault suite: creating)' >&2
status=${PIPESTATUS[0]}
set -e
if [ ! -s "$report" ]; then
  tail -40 "$log" >&2
  echo "fault suite: no report was written (Maven exit $status)" >&2
  exit "${status:-1}"
fi

echo
echo "fault suite: $rounds rounds per scenario ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
awk -F'\t' '
  function median(list, n,   a, i, j, t) {
    if (n == 0) return "-"
    split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (n % 2) ? sprintf("%.1f", a[(n + 1) / 2]) : sprintf("%.1f", (a[n / 2] + a[n / 2 + 1]) / 2)
  }
  NR == 1 { next }
  {
    s = $1
    if (!(s in rounds)) { order[++count] = s }
    rounds[s]++
    if ($8 == "ok") passed[s]++
    acked[s] += $3
    if ($4 == "-") unknown[s]++; else lost[s] += $4
    twoms[s] += $5
    if ($6 != "-") { conv[s] = conv[s] " " $6; nconv[s]++ }
    secs[s] = secs[s] " " $7; nsecs[s]++
    if ($8 != "ok" && !(s in failure)) failure[s] = "round " $2 ": " substr($8, 1, 220)
    if (NF >= 9 && $9 != "-") { gaps[s] = gaps[s] " " $9; ngaps[s]++; if ($9 + 0 > gmax[s]) gmax[s] = $9 + 0 }
  }
  END {
    printf "%-62s %6s %6s %9s %7s %10s %11s %8s %15s\n", "scenario", "rounds", "passed", "acked", "lost", "2-writ s",
      "converge s", "round s", "gap s med/max"
    for (i = 1; i <= count; i++) {
      s = order[i]
      l = (s in lost) ? lost[s] : "-"
      if ((s in unknown) && (s in lost)) l = l "+?"
      g = (ngaps[s] + 0 == 0) ? "-" : sprintf("%.1f/%.1f", median(gaps[s], ngaps[s]) / 1000, gmax[s] / 1000)
      printf "%-62s %6d %6d %9d %7s %10.1f %11s %8s %15s\n", s, rounds[s], passed[s] + 0, acked[s], l, twoms[s] / 1000,
        median(conv[s], nconv[s] + 0), median(secs[s], nsecs[s] + 0), g
      all += rounds[s]; ok += passed[s]; tacked += acked[s]; tlost += lost[s]; ttwo += twoms[s]
    }
    printf "%-62s %6d %6d %9d %7d %10.1f\n", "all", all, ok, tacked, tlost, ttwo / 1000
    print ""
    print "acked: commits acknowledged to the writer; lost: of those, missing on the final primary (-: no round of the"
    print "scenario ended with a single primary to check, +?: some did not); 2-writ s: seconds with two or more writable"
    print "nodes (each node asked every 25 ms); converge s: median time for apply (at most twice) to converge, rounds"
    print "that did not converge left out; round s: median round, including getting a healthy cluster (reused, or created"
    print "afresh after a round that broke it: about 5 s); gap s: for failover scenarios, the longest the writer went"
    print "without an acknowledged commit from the fault to the end of the recovery, median and max over the rounds."
    n = 0
    for (i = 1; i <= count; i++) if (order[i] in failure) {
      if (n++ == 0) { print ""; print "first failure per scenario:" }
      printf "  %s\n    %s\n", order[i], failure[order[i]]
    }
  }' "$report"
echo
echo "report: $report (one line per round); Maven: $log"
exit "$status"
