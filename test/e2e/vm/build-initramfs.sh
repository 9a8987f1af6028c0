#!/bin/bash
# build-initramfs.sh — build the test VM's initramfs and an uncompressed kernel.
#
# Usage: build-initramfs.sh --helpers JS_FILE -o OUTDIR [-k KVER] [--no-mount-nfs] [-f]
#
# --helpers names the compiled build-helpers module (vmlinux extraction, module ordering,
# signature stripping); the TypeScript library passes it.
# Produces in OUTDIR:
#   initramfs-KVER.cpio    busybox-static + guest init/agent + NFS/virtio modules
#                          (+ mount.nfs and its shared libraries unless --no-mount-nfs)
#   vmlinux-KVER           the kernel ELF extracted from /boot/vmlinuz-KVER, booted via
#                          PVH so the guest skips the in-guest xz decompression
#   build-KVER.stamp       hash of the inputs; the image is rebuilt when it changes
#
# Requires (Debian): busybox-static, linux-image-amd64 (modules + vmlinuz), xz-utils
# (kernel extraction), nodejs (helpers), nfs-common (optional, for mount.nfs).
# Environment: NFSGATE_VM_KVER (kernel version), NFSGATE_VM_MODULES (top-level modules),
# NFSGATE_VM_STRIP_SIG (1 = strip module signatures, the default).
# cpio is not needed (busybox cpio writes the newc archive).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KVER="${NFSGATE_VM_KVER:-}"
OUT=""
HELPERS=""
WITH_MOUNT_NFS=1
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    -k) KVER="$2"; shift 2;;
    -o) OUT="$2"; shift 2;;
    --helpers) HELPERS="$2"; shift 2;;
    --no-mount-nfs) WITH_MOUNT_NFS=0; shift;;
    -f|--force) FORCE=1; shift;;
    -h|--help) sed -n '2,20p' "$0"; exit 0;;
    *) echo "unknown arg $1" >&2; exit 2;;
  esac
done
[ -n "$OUT" ] || { echo "-o OUTDIR is required" >&2; exit 2; }
[ -r "$HELPERS" ] || { echo "--helpers JS_FILE is required (the compiled build-helpers module)" >&2; exit 2; }
# The helpers are an ES module with no entry point of its own: import it and call main().
helper() {
  node --input-type=module \
    -e 'const [file, ...args] = process.argv.slice(1); const m = await import(file); await m.main(args);' \
    "$HELPERS" "$@"
}

if [ -z "$KVER" ]; then
  # newest kernel that has both /boot/vmlinuz-KVER and /lib/modules/KVER/modules.dep
  for k in $(ls -1 /lib/modules 2>/dev/null | sort -rV); do
    if [ -r "/boot/vmlinuz-$k" ] && [ -f "/lib/modules/$k/modules.dep" ]; then KVER="$k"; break; fi
  done
  [ -n "$KVER" ] || { echo "no kernel found: apt-get install linux-image-amd64" >&2; exit 1; }
fi
MODDIR="/lib/modules/$KVER"
VMLINUZ="/boot/vmlinuz-$KVER"
BUSYBOX="$(command -v busybox || true)"
[ -d "$MODDIR" ] || { echo "no modules for $KVER in $MODDIR (apt-get install linux-image-amd64)" >&2; exit 1; }
[ -r "$VMLINUZ" ] || { echo "no kernel $VMLINUZ" >&2; exit 1; }
[ -n "$BUSYBOX" ] || { echo "busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "$BUSYBOX is dynamically linked; install busybox-static" >&2; exit 1
fi
MOUNT_NFS="$(command -v mount.nfs || true)"
[ -z "$MOUNT_NFS" ] && [ -x /sbin/mount.nfs ] && MOUNT_NFS=/sbin/mount.nfs
if [ "$WITH_MOUNT_NFS" = 1 ] && [ -z "$MOUNT_NFS" ]; then
  echo "note: mount.nfs not found (nfs-common); building without it" >&2
  WITH_MOUNT_NFS=0
fi

mkdir -p "$OUT"
IMG="$OUT/initramfs-$KVER.cpio"
VMLINUX="$OUT/vmlinux-$KVER"
STAMP="$OUT/build-$KVER.stamp"

# Top-level modules we need; dependencies are resolved from modules.dep.
# (NFSGATE_VM_MODULES overrides, e.g. add nfsv4; each extra module costs boot time
# under TCG: nfsv4 alone is ~0.9 s.)
WANT="${NFSGATE_VM_MODULES:-virtio_pci virtio_net virtio_console virtio-rng nfsv3}"
# Strip module signatures: the kernel then loads them without the RSA/sha256 check
# (CONFIG_MODULE_SIG_FORCE is off; it only sets the 'E' taint flag). Saves boot time.
STRIP_SIG="${NFSGATE_VM_STRIP_SIG:-1}"

want_hash="$( { echo "$WANT $WITH_MOUNT_NFS $STRIP_SIG"; sha256sum "$HERE/guest/"* "$HELPERS" "$0" "$VMLINUZ" "$BUSYBOX" ${MOUNT_NFS:+"$MOUNT_NFS"}; } | sha256sum | cut -d' ' -f1)"
if [ "$FORCE" = 0 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_hash" ] && [ -f "$IMG" ] && [ -f "$VMLINUX" ]; then
  echo "$IMG"; exit 0
fi

# --- kernel: extract the ELF vmlinux (PVH entry) from the bzImage -------------------
if [ ! -f "$VMLINUX" ] || [ "$VMLINUZ" -nt "$VMLINUX" ] || [ "$FORCE" = 1 ]; then
  command -v xz >/dev/null || { echo "xz not found (apt-get install xz-utils)" >&2; exit 1; }
  helper extract-vmlinux "$VMLINUZ" "$VMLINUX.tmp.$$"
  mv "$VMLINUX.tmp.$$" "$VMLINUX"
fi

# --- initramfs tree ---------------------------------------------------------------
ROOT="$(mktemp -d "$OUT/root.XXXXXX")"
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,mnt,root,lib/modules/$KVER,var/log}
cp "$BUSYBOX" "$ROOT/bin/busybox"
# applet symlinks at their usual paths (bin/sh, sbin/insmod, usr/bin/...)
"$BUSYBOX" --list-full | while read -r a; do
  [ "$a" = bin/busybox ] && continue
  mkdir -p "$ROOT/$(dirname "$a")"
  ln -sf /bin/busybox "$ROOT/$a"
done
ln -s bin/busybox "$ROOT/init"           # busybox init reads /etc/inittab
install -m 0755 "$HERE/guest/rcS" "$ROOT/etc/rcS"
install -m 0755 "$HERE/guest/agent.sh" "$ROOT/bin/nfsguest-agent"
install -m 0755 "$HERE/guest/hold.sh" "$ROOT/bin/nfsguest-hold"
cat > "$ROOT/etc/inittab" <<'TAB'
::sysinit:/etc/rcS
::respawn:/bin/nfsguest-agent
::ctrlaltdel:/bin/poweroff -f
::shutdown:/bin/sync
TAB
echo "root:x:0:0:root:/root:/bin/sh" > "$ROOT/etc/passwd"
echo "root:x:0:" > "$ROOT/etc/group"
# unprivileged users for permission tests (busybox `su -s /bin/sh USER -c CMD` as root)
cat >> "$ROOT/etc/passwd" <<'PW'
alice:x:1000:1000:alice:/tmp:/bin/sh
bob:x:1001:1001:bob:/tmp:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/false
PW
cat >> "$ROOT/etc/group" <<'GR'
alice:x:1000:
bob:x:1001:
nogroup:x:65534:
GR
echo "nfsguest" > "$ROOT/etc/hostname"
printf '127.0.0.1 localhost\n10.0.2.2 host\n' > "$ROOT/etc/hosts"
: > "$ROOT/etc/fstab"

# modules in dependency order (deps first), deduplicated
helper module-order "$MODDIR" $WANT > "$ROOT/lib/modules/$KVER/load.list"
while read -r m; do
  [ -n "$m" ] || continue
  mkdir -p "$ROOT/lib/modules/$KVER/$(dirname "$m")"
  case "$m" in
    *.ko) cp "$MODDIR/$m" "$ROOT/lib/modules/$KVER/$m";;
    *.ko.xz) xz -dc "$MODDIR/$m" > "$ROOT/lib/modules/$KVER/${m%.xz}";;
    *.ko.zst) zstd -dc "$MODDIR/$m" > "$ROOT/lib/modules/$KVER/${m%.zst}";;
    *.ko.gz) gzip -dc "$MODDIR/$m" > "$ROOT/lib/modules/$KVER/${m%.gz}";;
  esac
done < "$ROOT/lib/modules/$KVER/load.list"
sed -i -e 's/\.xz$//' -e 's/\.zst$//' -e 's/\.gz$//' "$ROOT/lib/modules/$KVER/load.list"
if [ "$STRIP_SIG" = 1 ]; then
  helper strip-sigs "$ROOT/lib/modules/$KVER"
fi

# optional: mount.nfs (nfs-utils) with its shared libraries, under /opt/nfs-utils. It is on
# the agent's PATH, so busybox mount falls back to it when mount(2) refuses the options
# (no addr=); mountCommand() can also call it directly.

if [ "$WITH_MOUNT_NFS" = 1 ]; then
  mkdir -p "$ROOT/opt/nfs-utils/sbin"
  cp "$MOUNT_NFS" "$ROOT/opt/nfs-utils/sbin/mount.nfs"
  ldd "$MOUNT_NFS" | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | while read -r lib; do
    [ -f "$lib" ] || continue
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
  done
  # the dynamic loader must be at the path compiled into the binary
  interp=""
  if command -v readelf >/dev/null; then
    interp="$(readelf -l "$MOUNT_NFS" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]/\1/p' || true)"
  fi
  if [ -n "$interp" ] && [ ! -e "$ROOT$interp" ]; then
    mkdir -p "$ROOT$(dirname "$interp")"; cp -L "$interp" "$ROOT$interp"
  fi
  mkdir -p "$ROOT/var/lib/nfs" "$ROOT/etc/netconfig.d"
  # libtirpc/glibc lookups done by mount.nfs (getprotobyname("tcp"), services)
  for f in /etc/netconfig /etc/protocols /etc/services; do
    [ -f "$f" ] && cp "$f" "$ROOT$f"
  done
  printf 'passwd: files\ngroup: files\nhosts: files\nprotocols: files\nservices: files\n' > "$ROOT/etc/nsswitch.conf"
fi

echo "$KVER" > "$ROOT/etc/nfsguest-kver"
( cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null ) > "$IMG.tmp.$$"
mv "$IMG.tmp.$$" "$IMG"
echo "$want_hash" > "$STAMP.tmp.$$"
mv "$STAMP.tmp.$$" "$STAMP"
echo "$IMG"
