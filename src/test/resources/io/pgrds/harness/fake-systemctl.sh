#!/bin/sh
# A stand-in for systemctl on a pgrds test node (io.pgrds.harness.SystemdFake): the node's sshd runs in a mount
# namespace where this file is /usr/bin/systemctl and /run/systemd/system exists, so the probe sees systemd there
# and nowhere else. It knows pgrds@.service instances only and runs them as the template does: postgres -D DATA
# (here through pg_ctl, logging to DATA.pgrds/postgresql.log), as postgres. Each call that is not a read is appended
# to calls.log; the enabled and active units are files, so that a "boot" can start the enabled ones again.
state='@STATE@'
bin='@BIN@'
verb=
units=
for a in "$@"; do
  case "$a" in
    --*) ;;
    -*) ;;
    *) if [ -z "$verb" ]; then verb=$a; else units="$units $a"; fi ;;
  esac
done
case "$verb" in
  show|is-enabled|is-active|fake-boot) ;;
  *) printf '%s\n' "$*" >> "$state/calls.log" ;;
esac
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$verb" = fake-boot ]; then
  # a reboot: nothing is active any more; systemd starts what is enabled
  rm -f "$state"/active/*
  for f in "$state"/enabled/*; do
    [ -e "$f" ] || continue
    "$0" start "$(basename "$f")" || exit
  done
  exit 0
fi
for u in $units; do
  case "$u" in
    pgrds@*.service) ;;
    *) echo "Unit $u not found." >&2; exit 5 ;;
  esac
  inst=${u#pgrds@}
  inst=${inst%.service}
  data=$(systemd-escape --unescape --path -- "$inst") || exit 1
  loaded=not-found
  [ -f "$state/template" ] && loaded=loaded
  running=false
  as_postgres "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1 && running=true
  case "$verb" in
    show)
      en=disabled
      [ -f "$state/enabled/$u" ] && en=enabled
      [ "$loaded" = loaded ] || en=
      act=inactive
      [ -f "$state/active/$u" ] && [ "$running" = true ] && act=active
      printf 'LoadState=%s\nUnitFileState=%s\nActiveState=%s\n' "$loaded" "$en" "$act" ;;
    start)
      [ "$loaded" = loaded ] || { echo "Failed to start $u: Unit pgrds@.service not found." >&2; exit 5; }
      if [ -f "$state/active/$u" ] && [ "$running" = true ]; then continue; fi
      as_postgres "$bin/pg_ctl" start -D "$data" -l "$data.pgrds/postgresql.log" -w -t 300 -s \
        || { echo "Job for $u failed because the control process exited with error code." >&2; exit 1; }
      touch "$state/active/$u" ;;
    stop)
      if [ -f "$state/active/$u" ] && [ "$running" = true ]; then
        as_postgres "$bin/pg_ctl" stop -D "$data" -m fast -w -t 300 -s || exit 1
      fi
      rm -f "$state/active/$u" ;;
    enable)
      [ "$loaded" = loaded ] || { echo "Failed to enable unit: Unit file pgrds@.service does not exist." >&2; exit 1; }
      touch "$state/enabled/$u" ;;
    disable)
      rm -f "$state/enabled/$u" ;;
    *) echo "fake systemctl: $verb is not faked" >&2; exit 1 ;;
  esac
done
