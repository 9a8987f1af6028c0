import { shq } from './shell.js';

/** The host as the guest sees it: slirp's gateway, or the tap device's address in the namespace. */
export const GUEST_GATEWAY = '10.0.2.2';
/** The guest's own address (eth0). */
export const GUEST_ADDRESS = '10.0.2.15';
export const DEFAULT_MNT = '/mnt/nfs';

export type MountHelper = 'kernel' | 'mount.nfs';

export interface MountOptions {
  /** Export path on the server (the MOUNT dirpath). */
  readonly path?: string;
  readonly mnt?: string;
  readonly nfsPort?: number;
  readonly mountPort?: number;
  /** Leave out port= and mountport=: the client asks the portmapper on port 111. */
  readonly portmap?: boolean;
  /** 'kernel' = busybox mount(2) with text options; 'mount.nfs' = nfs-utils' helper. */
  readonly helper?: MountHelper;
  /** Appended to -o, e.g. 'soft,timeo=50,retrans=1' or 'noac'. */
  readonly extra?: string;
  readonly vers?: 3 | 4;
  readonly host?: string;
  /** The guest has no rpc.statd, so NLM locking is off unless asked for. */
  readonly lock?: boolean;
}

/** The shell command that mounts `o.path` in the guest. */
export function mountCommand(o: MountOptions = {}): string {
  const host = o.host ?? GUEST_GATEWAY;
  const mnt = o.mnt ?? DEFAULT_MNT;
  const opts = [`vers=${o.vers ?? 3}`, 'proto=tcp'];
  if (!o.portmap) opts.push(`port=${o.nfsPort ?? 2049}`, `mountport=${o.mountPort ?? 20048}`);
  opts.push('mountproto=tcp');
  if (!o.lock) opts.push('nolock');
  if (o.extra) opts.push(o.extra);
  const dev = `${host}:${o.path ?? '/'}`;
  if ((o.helper ?? 'kernel') === 'mount.nfs') {
    return `mkdir -p ${shq(mnt)} && /opt/nfs-utils/sbin/mount.nfs ${shq(dev)} ${shq(mnt)} -o ${shq(opts.join(','))}`;
  }
  // busybox mount hands unknown options to mount(2) verbatim, and the kernel's text
  // option parser resolves no names: it needs addr=
  opts.push(`addr=${host}`);
  return `mkdir -p ${shq(mnt)} && mount -t nfs -o ${shq(opts.join(','))} ${shq(dev)} ${shq(mnt)}`;
}
