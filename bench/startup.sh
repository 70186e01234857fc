#!/usr/bin/env bash
# Benchmark: how much the class data sharing archive saves at start. Times `pgrds --version` and `pgrds validate`
# of the repository's example fleet (clusters/, committed into a temporary git repository), each RUNS times
# (default 15) with the archive and without, and prints the medians and their ratio.
#   bench/startup.sh              the package's launcher and archive made from this build (target/), as installed
#   bench/startup.sh --installed  the installed package: /usr/bin/pgrds with /var/cache/pgrds/pgrds.jsa
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-15}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = --installed ]; then
  pgrds=/usr/bin/pgrds
  lib=/usr/lib/pgrds
  cds=/var/cache/pgrds
  [ -f "$cds/pgrds.jsa.size" ] || { echo "startup.sh: no archive in $cds; install the package (or dpkg-reconfigure pgrds)" >&2; exit 1; }
else
  [ -f "$here/target/deb-root/usr/lib/pgrds/pgrds.classlist" ] || (cd "$here" && mvn -q -B -DskipTests package)
  pgrds="$here/src/deb/pgrds"
  lib="$work/lib"
  cds="$work/cds"
  mkdir -p "$lib"
  cp "$here/target/pgrds.jar" "$here/target/deb-root/usr/lib/pgrds/pgrds.classlist" "$lib/"
  PGRDS_LIB="$lib" PGRDS_CDS_DIR="$cds" "$here/src/deb/make-cds-archive"
fi

repo="$work/fleet"
mkdir -p "$repo"
cp -r "$here/clusters" "$repo/"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=bench -c user.email=bench@localhost add -A
git -C "$repo" -c user.name=bench -c user.email=bench@localhost commit -q -m "example fleet"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
# one timing: the archive directory ($1: with, or an empty one: without) and the arguments
timed() {
  local dir="$1"; shift
  local s; s=$(ms)
  PGRDS_LIB="$lib" PGRDS_CDS_DIR="$dir" "$pgrds" "$@" >/dev/null
  echo $(( $(ms) - s ))
}

# the archive in use, as pgrds itself sees it
PGRDS_LIB="$lib" PGRDS_CDS_DIR="$cds" "$pgrds" --version | grep -q "^class data sharing: $cds/pgrds.jsa$" \
  || { echo "startup.sh: the JVM does not map $cds/pgrds.jsa" >&2; exit 1; }

declare -A result
for what in version validate; do
  args=(--version)
  [ "$what" = validate ] && args=(--repo "$repo" validate)
  # interleaved, so that a change in the machine's load touches both alike
  with=(); without=()
  for ((r = 0; r < runs; r++)); do
    with+=("$(timed "$cds" "${args[@]}")")
    without+=("$(timed "$work/none" "${args[@]}")")
  done
  result[$what.with]=$(printf '%s\n' "${with[@]}" | median)
  result[$what.without]=$(printf '%s\n' "${without[@]}" | median)
done

echo "pgrds start-up with and without the class data sharing archive, median of $runs runs each ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)):"
echo "  archive: $cds/pgrds.jsa ($(( $(stat -c %s "$cds/pgrds.jsa") / 1048576 )) MB)"
printf '  %-28s %8s %8s %8s\n' "" "with" "without" "ratio"
for what in version validate; do
  label="pgrds --version"
  [ "$what" = validate ] && label="pgrds validate (example)"
  awk -v l="$label" -v w="${result[$what.with]}" -v n="${result[$what.without]}" \
    'BEGIN { printf "  %-28s %6d ms %6d ms %8.2f\n", l, w, n, w / n }'
done
