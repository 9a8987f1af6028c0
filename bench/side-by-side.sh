#!/usr/bin/env bash
# Where `npm run bench -- --vs ganesha` runs: NFS-Ganesha must register with an rpcbind, so the run gets a
# private network namespace (loopback only) and a private /run holding its own rpcbind; nothing listens
# outside it, and nfsgate, Ganesha and the client all run inside. Needs root, and Debian's nfs-ganesha,
# nfs-ganesha-vfs and rpcbind. Arguments are passed to bench/run.js.
set -euo pipefail
cd "$(dirname "$0")/.."
exec unshare --net --mount --propagation private bash -c '
  set -euo pipefail
  ip link set lo up
  mount -t tmpfs -o mode=755 tmpfs /run
  mkdir -p /run/rpcbind
  chown _rpc /run/rpcbind 2>/dev/null || true
  rpcbind -f -w &
  rpcbind_pid=$!
  trap "kill \$rpcbind_pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 50); do [ -S /run/rpcbind.sock ] && break; sleep 0.1; done
  NFSGATE_BENCH_NAMESPACE=1 node dist/bench/run.js "$@"
' side-by-side "$@"
