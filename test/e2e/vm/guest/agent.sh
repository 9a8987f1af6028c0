#!/bin/busybox sh
# Control agent of the test VM (runs in the guest, respawned by busybox init).
#
# Talks over the virtio-serial port named "nfsguest.ctl" with a host-side broker.
# Line protocol (all fields space separated, payloads base64 without newlines):
#   host -> guest  REQ <id> <timeout_s|0> <b64 script> <b64 stdin | ->
#                  PING <id>
#   guest -> host  HELLO <uptime_s> <kernel>
#                  RES <id> <rc> <timedout 0|1> <b64 stdout|-> <b64 stderr|->
#                  PONG <id>
# Each REQ runs concurrently in its own session (setsid) with cwd /, stdin from the
# payload, stdout/stderr captured to files.  Background processes it starts keep
# running after the reply (they are only killed when the request times out).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/opt/nfs-utils/sbin
W=/run/nfsguest-agent
mkdir -p "$W"

port=
for p in /sys/class/virtio-ports/vport*; do
  [ "$(cat "$p/name" 2>/dev/null)" = "nfsguest.ctl" ] && port="/dev/${p##*/}"
done
if [ -z "$port" ]; then
  echo "nfsguest-agent: control port not found" >/dev/console
  sleep 5; exit 1
fi

# The port can be open only once: wait until a previous agent's leftovers let go.
until ( exec 3<>"$port" ) 2>/dev/null; do sleep 1; done
exec 3<>"$port"

emit() {  # emit FILE: write a whole reply file to the port under a mkdir lock
  until mkdir "$W/lock" 2>/dev/null; do usleep 1000; done
  cat "$1" >&3
  rmdir "$W/lock"
}

enc() {  # enc FILE: base64 without newlines, or "-" when empty
  if [ -s "$1" ]; then base64 -w 0 "$1"; else printf -- '-'; fi
}

handle() {  # handle ID TIMEOUT B64CMD B64STDIN
  id="$1"; to="$2"; d="$W/r$id"
  mkdir -p "$d"
  printf '%s' "$3" | base64 -d > "$d/cmd"
  if [ "$4" = "-" ]; then : > "$d/in"; else printf '%s' "$4" | base64 -d > "$d/in"; fi
  cd /
  setsid sh "$d/cmd" < "$d/in" > "$d/out" 2> "$d/err" 3>&- &
  pid=$!
  wd=
  if [ "$to" -gt 0 ] 2>/dev/null; then
    ( s=; trap 'kill $s 2>/dev/null; exit 0' TERM
      sleep "$to" & s=$!; wait $s
      : > "$d/timedout"; kill -9 -"$pid" 2>/dev/null; kill -9 "$pid" 2>/dev/null ) 3>&- </dev/null >/dev/null 2>&1 &
    wd=$!
  fi
  wait "$pid"; rc=$?
  [ -n "$wd" ] && kill "$wd" 2>/dev/null
  t=0; [ -e "$d/timedout" ] && t=1
  { printf 'RES %s %s %s ' "$id" "$rc" "$t"; enc "$d/out"; printf ' '; enc "$d/err"; printf '\n'; } > "$d/res"
  emit "$d/res"
  rm -rf "$d"
}

# Blocks until the host side of the port is connected.
printf 'HELLO %s %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$(uname -r)" >&3

while IFS= read -r line <&3; do
  set -- $line
  case "$1" in
    REQ) handle "$2" "$3" "$4" "$5" & ;;
    PING) echo "PONG $2" > "$W/pong.$2"; emit "$W/pong.$2"; rm -f "$W/pong.$2" ;;
    *) : ;;
  esac
done
# EOF: host disconnected; init respawns us and we block in HELLO until it returns.
sleep 0.2
