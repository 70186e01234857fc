#!/usr/bin/env bash
# Benchmark: `pgrds validate` over a generated fleet of 200 cluster files in a temporary git repository,
# wall time including JVM start (target: under 3 s on a 2-core machine). Prints the figure and, as a raw
# baseline run in the same script, the time of a bare JVM start of the same jar (`--version`), so the
# ratio shows what loading, merging and validating 200 clusters costs on top of starting Java.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clusters="${1:-200}"
runs="${RUNS:-5}"
[ -f "$here/target/pgrds.jar" ] || (cd "$here" && mvn -q -B -DskipTests package)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo="$work/fleet"
mkdir -p "$repo/clusters"
cp "$here/clusters/defaults.yaml" "$repo/clusters/defaults.yaml"
for ((i = 0; i < clusters; i++)); do
  team="team$((i / 4))"
  stage="stage$((i % 4))"
  mkdir -p "$repo/clusters/$team"
  cat > "$repo/clusters/$team/$stage.yaml" <<YAML
# yaml-language-server: \$schema=../../schema/cluster.schema.json
postgres:
  parameters: {max_connections: $((100 + i)), work_mem: 16MB}
nodes:
  - host: $stage-postgres-$team-1.example.com
  - host: $stage-postgres-$team-2.example.com
  - {host: $stage-postgres-$team-3.example.com, name: pg3, ssh: {port: 2222}}
primary: $stage-postgres-$team-1.example.com
service: {name: $team.$stage.example.com}
YAML
done
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=bench -c user.email=bench@localhost add -A
git -C "$repo" -c user.name=bench -c user.email=bench@localhost commit -q -m "generated fleet"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
best() { sort -n | head -1; }

baseline=$(for ((r = 0; r < runs; r++)); do s=$(ms); "$here/bin/pgrds" --version >/dev/null; e=$(ms); echo $((e - s)); done | best)
validate=$(for ((r = 0; r < runs; r++)); do s=$(ms); "$here/bin/pgrds" --repo "$repo" validate >/dev/null; e=$(ms); echo $((e - s)); done | best)

echo "pgrds validate, $clusters clusters ($((clusters * 3)) nodes), best of $runs:"
echo "  JVM start (pgrds --version):  ${baseline} ms"
echo "  pgrds validate:               ${validate} ms   (target < 3000 ms)"
awk -v v="$validate" -v b="$baseline" 'BEGIN { printf "  ratio validate / JVM start:   %.2f\n", v / b }'
