#!/usr/bin/env bash
# nfsgate and NFS-Ganesha measured in one run with the same workload (npm run bench:ganesha). Ganesha
# must register with an rpcbind, so the run gets a private network namespace (loopback only) and a
# private /run holding its own rpcbind; nothing listens outside it. Needs root, and Debian's nfs-ganesha,
# nfs-ganesha-vfs and rpcbind.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in ganesha.nfsd rpcbind unshare; do
  command -v "$tool" >/dev/null || { echo "bench:ganesha needs $tool (apt-get install nfs-ganesha nfs-ganesha-vfs rpcbind)" >&2; exit 1; }
done
exec unshare --net --mount --propagation private bash -c '
  set -euo pipefail
  ip link set lo up
  mount -t tmpfs tmpfs /run
  mkdir -p /run/rpcbind
  rpcbind -f -w &
  rpcbind_pid=$!
  trap "kill \$rpcbind_pid 2>/dev/null || true" EXIT
  sleep 0.5
  node dist/bench/run.js nfs ganesha "$@"
' side-by-side "$@"
