#!/usr/bin/env bash
# Writes src/main/cds/nodes.classlist: the classes `pgrds status` and `pgrds plan` load on a real 3-node cluster
# (real PostgreSQL and sshd on loopback, the integration test harness) beyond those of a `validate`. The package's
# class data sharing archive is made from the build's own list plus this one (docs/install.md). Run it when
# ClassListIT says the list no longer covers what status loads, then commit the file.
# Needs root (sshd, runuser).
#   bench/classlist.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$here" && mvn -q -B -DskipTests -Dpgrds.deb.skip package)
exec "$here/bench/run-main" --harness ClassListTraining
