# pgrds node probe: one round trip, run as the postgres OS user, prints the shell-side facts as JSON.
# Arguments: DATA_DIRECTORY BIN_DIRECTORY STATE_DIRECTORY HOST PORT SOCKET_DIRECTORY SYSTEMD_UNIT
#            [PGBACKREST_INFO_ARGUMENTS...]
# With pgBackRest arguments (only for the node a restore would go into), and only while it holds no data (see
# below), it also prints what `pgbackrest ARGUMENTS` (an info of the restore source's stanza) says, or its error.
# POSIX sh only; never changes anything.
D="$1"; B="$2"; S="$3"; H="$4"; P="$5"; K="$6"; U="$7"
LC_ALL=C; export LC_ALL

# JSON strings. One awk per string, each process being most of what a probe costs. The escaping finds the special
# characters with index() and writes their escapes as string literals: awk implementations differ on backslashes in
# gsub's replacement and in bracket expressions, not in these.
J='function esc(s,  o, i, k, c) {
  o = ""
  while (1) {
    i = index(s, "\\")
    k = index(s, "\""); if (k && (!i || k < i)) i = k
    k = index(s, "\t"); if (k && (!i || k < i)) i = k
    k = index(s, "\r"); if (k && (!i || k < i)) i = k
    if (!i) return o s
    c = substr(s, i, 1)
    o = o substr(s, 1, i - 1) (c == "\\" ? "\\\\" : c == "\"" ? "\\\"" : c == "\t" ? "\\t" : "\\r")
    s = substr(s, i + 1)
  }
}'
str() { # stdin as one JSON string, its lines joined by \n
  awk "$J"' BEGIN { printf "\"" } { if (NR > 1) printf "\\n"; printf "%s", esc($0) } END { printf "\"" }'
}
strjoin() { # stdin as one JSON string, its lines joined with nothing between them (as tr -d '\n' would)
  awk "$J"' BEGIN { printf "\"" } { printf "%s", esc($0) } END { printf "\"" }'
}
kv() { printf '"%s":' "$1"; }

printf '{'
kv binaries; if [ -x "$B/postgres" ] && [ -x "$B/pg_ctl" ] && [ -x "$B/pg_controldata" ]; then printf 'true'; else printf 'false'; fi
printf ','; kv dataExists; if [ -d "$D" ]; then printf 'true'; else printf 'false'; fi
printf ','; kv dataReadable; if [ -d "$D" ] && [ -r "$D" ] && [ -x "$D" ]; then printf 'true'; else printf 'false'; fi
empty=false; if [ -d "$D" ] && [ -z "$(ls -A "$D" 2>/dev/null)" ]; then empty=true; fi
printf ','; kv dataEmpty; printf '%s' "$empty"
printf ','; kv pgVersion; if [ -f "$D/PG_VERSION" ]; then strjoin < "$D/PG_VERSION"; else printf 'null'; fi
printf ','; kv standbySignal; if [ -f "$D/standby.signal" ]; then printf 'true'; else printf 'false'; fi
printf ','; kv recoverySignal; if [ -f "$D/recovery.signal" ]; then printf 'true'; else printf 'false'; fi
printf ','; kv running
if [ -f "$D/postmaster.pid" ] && [ -x "$B/pg_ctl" ] && "$B/pg_ctl" status -D "$D" >/dev/null 2>&1; then printf 'true'; else printf 'false'; fi
printf ','; kv controldata
if [ -f "$D/global/pg_control" ] && [ -x "$B/pg_controldata" ]; then "$B/pg_controldata" -D "$D" 2>&1 | str; else printf 'null'; fi
printf ','; kv autoConf; if [ -f "$D/postgresql.auto.conf" ]; then str < "$D/postgresql.auto.conf"; else printf 'null'; fi
printf ','; kv pgrdsConf; if [ -f "$D/pgrds.conf" ]; then str < "$D/pgrds.conf"; else printf 'null'; fi
printf ','; kv standbyConf; if [ -f "$D/pgrds-standby.conf" ]; then str < "$D/pgrds-standby.conf"; else printf 'null'; fi
printf ','; kv creating; if [ -f "$S/creating" ]; then printf 'true'; else printf 'false'; fi
sha() { sum=$(sha256sum "$1" 2>/dev/null); printf '%s' "${sum%% *}" | strjoin; } # the first word: the digest
printf ','; kv hbaSha256; if [ -f "$D/pg_hba.conf" ]; then sha "$D/pg_hba.conf"; else printf 'null'; fi
printf ','; kv confSha256; if [ -f "$D/pgrds.conf" ]; then sha "$D/pgrds.conf"; else printf 'null'; fi
printf ','; kv backupConfigured; if [ -f "$S/backup.configured" ]; then strjoin < "$S/backup.configured"; else printf 'null'; fi
printf ','; kv marker; if [ -f "$S/marker.json" ]; then str < "$S/marker.json"; else printf 'null'; fi
printf ','; kv managementPassword; if [ -r "$S/secrets/pgrds.password" ]; then strjoin < "$S/secrets/pgrds.password"; else printf 'null'; fi
printf ','; kv memoryKb; awk '/^MemTotal:/ { printf "%s", $2; found = 1 } END { if (!found) printf "null" }' /proc/meminfo 2>/dev/null || printf 'null'
printf ','; kv freeDiskKb
p="$D"; while [ ! -d "$p" ] && [ "$p" != "/" ]; do p=$(dirname "$p"); done
df -Pk "$p" 2>/dev/null | awk 'NR == 2 { printf "%s", $4; found = 1 } END { if (!found) printf "null" }'
# WAL waiting for the archiver (one .ready file per segment), the size of pg_wal and the file system it is on; the
# trailing slash follows pg_wal when it is a symbolic link to another disk. null where there is no pg_wal to look at.
W="$D/pg_wal/"
num() { awk -v f="$1" '{ if ($f ~ /^[0-9]+$/) { printf "%s", $f; found = 1 } } END { if (!found) printf "null" }'; }
printf ','; kv walReady
if [ -d "${W}archive_status" ] && [ -r "${W}archive_status" ]; then ls "${W}archive_status" | grep -c '[.]ready$' | num 1; else printf 'null'; fi
printf ','; kv walKb; if [ -d "$W" ] && [ -r "$W" ]; then du -sk "$W" 2>/dev/null | num 1; else printf 'null'; fi
df=""; if [ -d "$W" ]; then df=$(df -Pk "$W" 2>/dev/null | awk 'NR == 2'); fi
printf ','; kv walFsKb; printf '%s\n' "$df" | num 2
printf ','; kv walFreeKb; printf '%s\n' "$df" | num 4
printf ','; kv walMount
if [ -n "$df" ]; then
  printf '%s\n' "$df" | awk "$J"'{ m = $6; for (i = 7; i <= NF; i++) m = m " " $i; printf "\"%s\"", esc(m) }'
else printf 'null'; fi
printf ','; kv rebootRequired; if [ -f /var/run/reboot-required ]; then printf 'true'; else printf 'false'; fi
printf ','; kv sourceCatalog
# no data yet: the directory is missing or empty, or holds what a create pgrds began left (the creating flag, no
# server running), which the next apply removes and restores afresh
nodata=false
if [ ! -d "$D" ] || [ "$empty" = true ]; then nodata=true
elif [ -f "$S/creating" ] && ! { [ -f "$D/postmaster.pid" ] && "$B/pg_ctl" status -D "$D" >/dev/null 2>&1; }; then nodata=true
fi
if [ $# -gt 7 ] && [ "$nodata" = true ]; then
  shift 7
  # bounded well inside the observation's deadline: a repository that does not answer is the source's error
  if out=$(timeout -k 2 20 pgbackrest "$@" 2>&1); then
    printf '%s\n' "$out" | str; printf ','; kv sourceCatalogError; printf 'null'
  else
    rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then out="pgbackrest info did not answer within 20 s"; fi
    printf 'null,'; kv sourceCatalogError; printf 'pgbackrest exit %s: %s\n' "$rc" "$out" | str
  fi
else
  printf 'null,'; kv sourceCatalogError; printf 'null'
fi
# Whether postgres can see the data directory at all: a symbolic link whose target it cannot reach, or a directory on
# the way that it cannot search, hides it (`[ -d ]` is then false although the data may be there). null: it can.
printf ','; kv dataHidden
if [ -L "$D" ] && [ ! -e "$D" ]; then
  printf '%s is a symbolic link to %s, which the postgres user cannot reach (missing, or a directory on the way is not searchable)\n' "$D" "$(readlink "$D" 2>/dev/null)" | str
else
  a="$D"; while [ "$a" != "/" ] && [ ! -e "$a" ] && [ ! -L "$a" ]; do a=$(dirname "$a"); done
  if [ "$a" != "$D" ] && [ -d "$a" ] && [ ! -x "$a" ]; then
    printf '%s is not searchable by the postgres user, so pgrds cannot tell whether %s exists\n' "$a" "$D" | str
  else printf 'null'; fi
fi
# Whether a server answers on the node's port (its address, or the socket directory) while no data directory is
# seen: then the data directory pgrds looks at is not the one that server runs from (a mount missing, a path
# changed), and the node must never be taken for empty. Only asked when there is no data to look at.
printf ','; kv answering
if [ "$nodata" = true ] && [ -x "$B/pg_isready" ] && [ -n "$P" ]; then
  ans=false
  if [ -n "$K" ] && [ -S "$K/.s.PGSQL.$P" ]; then
    "$B/pg_isready" -q -t 2 -h "$K" -p "$P" >/dev/null 2>&1; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 1 ] && ans=true
  fi
  if [ "$ans" = false ] && [ -n "$H" ]; then
    "$B/pg_isready" -q -t 2 -h "$H" -p "$P" >/dev/null 2>&1; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 1 ] && ans=true
  fi
  printf '%s' "$ans"
else
  printf 'false'
fi
# Whether systemd runs the node (/run/systemd/system exists only when systemd is PID 1, see sd_booted(3)) and, if so,
# how the node's instance of the pgrds@.service template stands. null: no systemd, pgrds uses pg_ctl. Reading a unit's
# state needs no privilege.
printf ','; kv systemd
sdout=""; sdrc=0
if [ -d /run/systemd/system ] && [ -n "$U" ]; then
  if command -v systemctl >/dev/null 2>&1; then
    sdout=$(systemctl show --property=LoadState,UnitFileState,ActiveState -- "$U" 2>&1) || sdrc=$?
  else sdout="systemctl is not installed"; sdrc=127; fi
  if [ $sdrc -eq 0 ]; then printf '%s\n' "$sdout" | str; else printf 'null'; fi
else printf 'null'; fi
printf ','; kv systemdError
if [ $sdrc -ne 0 ]; then printf 'systemctl show failed (exit %s): %s\n' "$sdrc" "$sdout" | str; else printf 'null'; fi
printf '}\n'
