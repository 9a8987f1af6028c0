import type { BigIntStats } from 'node:fs';
import { FileType, type Identity } from './types.js';

/** The fields of a stat the vfs reads: node:fs BigIntStats and the addon's statx result both have them. */
export type StatLike = Pick<
  BigIntStats,
  | 'dev'
  | 'ino'
  | 'mode'
  | 'nlink'
  | 'uid'
  | 'gid'
  | 'rdev'
  | 'size'
  | 'blocks'
  | 'atimeNs'
  | 'mtimeNs'
  | 'ctimeNs'
  | 'birthtimeNs'
>;

export interface NfsTime {
  readonly seconds: number;
  readonly nseconds: number;
}

/** fattr3 without fsid (the NFS layer knows which export the object belongs to). */
export interface Attrs {
  readonly type: FileType;
  /** Permission bits including setuid, setgid and sticky; never S_IFMT. */
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: bigint;
  readonly used: bigint;
  readonly rdev: { readonly major: number; readonly minor: number };
  readonly fileid: bigint;
  /** The device the object is on: objects on another filesystem than the export root's report their
   * own fsid, so that fileids of two filesystems never collide in a client's view. */
  readonly dev: bigint;
  readonly atime: NfsTime;
  readonly mtime: NfsTime;
  readonly ctime: NfsTime;
}

/** wcc_attr: what a client compares to decide whether its cache survived an operation. */
export interface WccAttrs {
  readonly size: bigint;
  readonly mtime: NfsTime;
  readonly ctime: NfsTime;
}

/** Directory attributes around a mutating operation (wcc_data). */
export interface WccData {
  readonly before: WccAttrs | undefined;
  readonly after: Attrs | undefined;
}

const S_IFMT = 0o170000n;
const typeByFormat = new Map<bigint, FileType>([
  [0o100000n, FileType.REG],
  [0o040000n, FileType.DIR],
  [0o060000n, FileType.BLK],
  [0o020000n, FileType.CHR],
  [0o120000n, FileType.LNK],
  [0o140000n, FileType.SOCK],
  [0o010000n, FileType.FIFO],
]);

export function fileTypeOf(st: StatLike): FileType {
  const type = typeByFormat.get(st.mode & S_IFMT);
  if (type === undefined) throw new Error(`unknown file format ${st.mode.toString(8)}`);
  return type;
}

export function identityOf(st: StatLike): Identity {
  return { dev: st.dev, ino: st.ino, btime: st.birthtimeNs };
}

const NS = 1_000_000_000n;

/** nfstime3 holds uint32 seconds: times before 1970 or after 2106 wrap, as on the wire. */
export function nfsTime(ns: bigint): NfsTime {
  let seconds = ns / NS;
  let nanos = ns % NS;
  if (nanos < 0n) {
    nanos += NS;
    seconds -= 1n;
  }
  return { seconds: Number(BigInt.asUintN(32, seconds)), nseconds: Number(nanos) };
}

/** Linux dev_t encoding (glibc gnu_dev_major/minor). */
export function splitDev(dev: bigint): { major: number; minor: number } {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major: Number(BigInt.asUintN(32, major)), minor: Number(BigInt.asUintN(32, minor)) };
}

export function attrsFromStats(st: StatLike): Attrs {
  return {
    type: fileTypeOf(st),
    mode: Number(st.mode & 0o7777n),
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: st.size,
    used: st.blocks * 512n,
    rdev: splitDev(st.rdev),
    fileid: st.ino,
    dev: st.dev,
    atime: nfsTime(st.atimeNs),
    mtime: nfsTime(st.mtimeNs),
    ctime: nfsTime(st.ctimeNs),
  };
}

export function wccAttrs(st: StatLike): WccAttrs {
  return { size: st.size, mtime: nfsTime(st.mtimeNs), ctime: nfsTime(st.ctimeNs) };
}
