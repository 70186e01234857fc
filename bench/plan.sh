#!/usr/bin/env bash
# Benchmark: Planner.plan over 1,000 clusters from recorded observations (the scenario fixtures, serialised as the
# observer's JSON and cycled), plus rendering the fleet plan as text and JSON. In-process, best of N rounds after a
# JIT warm-up; prints total ms and µs per cluster, and as a raw baseline the time to merely deserialise the same
# observations, so the ratio shows what deciding costs next to reading the input. Target: under 1 s.
#   bench/plan.sh [clusters=1000] [rounds=10]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" PlanBench "${1:-1000}" "${2:-10}"
