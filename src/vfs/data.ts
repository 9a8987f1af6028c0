import fs from 'node:fs';
import { promisify } from 'node:util';
import { modeAfterWrite } from './access.js';
import { type Attrs, attrsFromStats, type WccAttrs, wccAttrs } from './attrs.js';
import type { Caller } from './credentials.js';
import { registerReliever } from './descriptors.js';
import { toErrno } from './errors.js';
import { EMPTY_NAME, errnoOf, fsTypeOfFd, openRelieved } from './fs-calls.js';
import { fsOps } from './fs-ops.js';
import { type NativeStat, systemError } from './native.js';
import { closeQuietly } from './proc-path.js';
import { identityFromStat } from './reuse-tag.js';
import { FileType, type FsResult, fail, type Identity, ok, sameIdentity, type VNode } from './types.js';

/** fs.read with a bigint position, which node:fs accepts for reads (its promisified typing does not). */
function readAsync(fd: number, into: Buffer, at: number, length: number, position: bigint): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, into, at, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}
const writeAsync = promisify(fs.write);
const fsyncAsync = promisify(fs.fsync);
const fdatasyncAsync = promisify(fs.fdatasync);

/** fstat of a data descriptor on the thread pool; a failure is thrown as node:fs would (mapped by the
 * caller's catch). */
async function fstatData(fd: number): Promise<NativeStat> {
  const got = await fsOps().stat(fd, EMPTY_NAME);
  if (typeof got === 'string') throw systemError(got, 'statx');
  return got.st;
}

/** stable_how (RFC 1813 section 3.3.7). */
export const StableHow = { UNSTABLE: 0, DATA_SYNC: 1, FILE_SYNC: 2 } as const;
export type StableHow = (typeof StableHow)[keyof typeof StableHow];

export interface ReadResult {
  readonly data: Buffer;
  readonly eof: boolean;
  readonly attrs: Attrs;
}

export interface WriteResult {
  readonly count: number;
  /** The level actually reached, never more than was done. */
  readonly committed: StableHow;
  readonly before: WccAttrs;
  readonly after: Attrs;
}

export interface CommitResult {
  readonly before: WccAttrs;
  readonly after: Attrs;
}

export interface DataIoOptions {
  readonly readOnly: boolean;
  /** Whether the server runs as root and must strip setuid/setgid on writes by others itself. */
  readonly privileged: boolean;
  readonly maxOpen?: number;
  readonly idleMs?: number;
}

interface OpenFile {
  readonly fd: number;
  readonly writable: boolean;
  readonly ident: Identity;
  pins: number;
  lastUsed: number;
  /** Set when evicted while pinned: closed by the last unpin. */
  retired: boolean;
}

/**
 * READ/WRITE/COMMIT on cached read/write descriptors. A descriptor is opened through the object's O_PATH
 * descriptor (so it is exactly the verified object), pinned while an asynchronous operation uses it, and
 * closed when idle or when the cache is over its limit. Running out of descriptors empties caches and
 * retries rather than failing the request.
 *
 * Permission to read or write is the caller's to check (access.ts). knfsd lets the owner write a file it
 * just created read-only; that subtlety is not reproduced.
 */
export class DataIo {
  private readonly files = new Map<string, OpenFile>();
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private readonly sweeper: NodeJS.Timeout;
  private readonly unregister: () => void;

  constructor(private readonly options: DataIoOptions) {
    this.maxOpen = Math.max(1, options.maxOpen ?? 256);
    this.idleMs = options.idleMs ?? 5000;
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(100, Math.min(this.idleMs, 1000)));
    this.sweeper.unref();
    this.unregister = registerReliever(() => this.evict(0));
  }

  /** Number of descriptors currently open (for tests and metrics). */
  get openCount(): number {
    return this.files.size;
  }

  /** Reads at most `count` bytes; nothing lies at or beyond the largest offset a file can have, so such
   * a read is short (as knfsd clamps it), never an error. */
  async read(node: VNode, offset: bigint, count: number): Promise<FsResult<ReadResult>> {
    const file = await this.acquire(node, false);
    if (!file.ok) return file;
    try {
      const start = offset > MAX_OFFSET ? MAX_OFFSET : offset;
      const length = Number(BigInt(count) < MAX_OFFSET - start ? BigInt(count) : MAX_OFFSET - start);
      const data = Buffer.allocUnsafe(length);
      let total = 0;
      while (total < length) {
        // node:fs reads take a bigint position (writes do not).
        const at = start + BigInt(total);
        const bytesRead = await readAsync(file.value.fd, data, total, length - total, at);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      const st = await fstatData(file.value.fd);
      const eof = start + BigInt(total) >= st.size;
      return ok({ data: data.subarray(0, total), eof, attrs: attrsFromStats(st) });
    } catch (err) {
      return fail(toErrno(err));
    } finally {
      this.release(file.value);
    }
  }

  async write(
    node: VNode,
    offset: bigint,
    data: Buffer,
    stable: StableHow,
    caller?: Caller,
  ): Promise<FsResult<WriteResult>> {
    if (this.options.readOnly) return fail('EROFS');
    const position = safePosition(offset, data.length);
    if (position === undefined) return fail('EFBIG');
    const file = await this.acquire(node, true);
    if (!file.ok) return file;
    const fd = file.value.fd;
    try {
      const before = await fstatData(fd);
      await this.stripPrivileges(fd, before, caller);
      let total = 0;
      while (total < data.length) {
        const { bytesWritten } = await writeAsync(fd, data, total, data.length - total, position + total);
        total += bytesWritten;
      }
      let committed: StableHow = StableHow.UNSTABLE;
      if (stable === StableHow.FILE_SYNC) {
        await fsyncAsync(fd);
        committed = StableHow.FILE_SYNC;
      } else if (stable === StableHow.DATA_SYNC) {
        await fdatasyncAsync(fd);
        committed = StableHow.DATA_SYNC;
      }
      const after = await fstatData(fd);
      return ok({ count: total, committed, before: wccAttrs(before), after: attrsFromStats(after) });
    } catch (err) {
      return fail(toErrno(err));
    } finally {
      this.release(file.value);
    }
  }

  /** COMMIT: fsync flushes every dirty page of the file, whichever descriptor wrote it, so the range is
   * covered by syncing the whole file. */
  async commit(node: VNode): Promise<FsResult<CommitResult>> {
    const file = await this.acquire(node, false);
    if (!file.ok) return file;
    try {
      const before = await fstatData(file.value.fd);
      await fsyncAsync(file.value.fd);
      const after = await fstatData(file.value.fd);
      return ok({ before: wccAttrs(before), after: attrsFromStats(after) });
    } catch (err) {
      return fail(toErrno(err));
    } finally {
      this.release(file.value);
    }
  }

  /** Closes every descriptor not in use; pinned ones close when their operation ends. */
  close(): void {
    clearInterval(this.sweeper);
    this.unregister();
    this.evict(0);
  }

  /** Closes descriptors idle for longer than idleMs. */
  closeIdle(now: number = Date.now()): void {
    for (const [key, file] of this.files) {
      if (file.pins === 0 && now - file.lastUsed >= this.idleMs) this.retire(key, file);
    }
  }

  private async acquire(node: VNode, writable: boolean): Promise<FsResult<OpenFile>> {
    if (node.type !== FileType.REG) return fail(node.type === FileType.DIR ? 'EISDIR' : 'EINVAL');
    const key = keyOf(node.ident);
    const hit = this.hit(key, writable);
    if (hit !== undefined) return ok(hit);
    const opened = await this.openData(node, writable);
    if (!opened.ok) return opened;
    // Another request may have opened it meanwhile: keep one descriptor per object.
    const raced = this.hit(key, writable);
    if (raced !== undefined) {
      closeQuietly(opened.value.fd);
      return ok(raced);
    }
    const cached = this.files.get(key);
    if (cached !== undefined) this.retire(key, cached);
    const file: OpenFile = { ...opened.value, pins: 1, lastUsed: Date.now(), retired: false };
    this.files.set(key, file);
    this.evict(this.maxOpen);
    return ok(file);
  }

  /** The cached descriptor for `key`, pinned, if it allows what is asked. */
  private hit(key: string, writable: boolean): OpenFile | undefined {
    const cached = this.files.get(key);
    if (cached === undefined || (!cached.writable && writable)) return undefined;
    this.files.delete(key);
    this.files.set(key, cached);
    cached.pins++;
    cached.lastUsed = Date.now();
    return cached;
  }

  /** Opens for writing only for a write: a read-write descriptor cannot be had for an append-only or
   * immutable file, and its close would tell inotify watchers (IN_CLOSE_WRITE) the file was written.
   * The O_PATH descriptor is reopened through its own magic link: exactly the verified object. */
  private async openData(
    node: VNode,
    writable: boolean,
  ): Promise<FsResult<{ fd: number; writable: boolean; ident: Identity }>> {
    const flags = writable && !this.options.readOnly ? fs.constants.O_RDWR : fs.constants.O_RDONLY;
    const got = await openRelieved(node.fd, EMPTY_NAME, flags);
    if (typeof got === 'string') {
      const errno = errnoOf(got, 'open');
      return fail(errno === 'ENOENT' || errno === 'ELOOP' ? 'EBADF' : errno);
    }
    const { fd, st } = got;
    const ident = await identityFromStat(st, got.handle, () => fsTypeOfFd(fd));
    if (!sameIdentity(ident, node.ident)) {
      closeQuietly(fd);
      return fail('EBADF');
    }
    const format = Number(st.mode) & 0o170000;
    if (format !== 0o100000) {
      closeQuietly(fd);
      return fail(format === 0o040000 ? 'EISDIR' : 'EINVAL');
    }
    return ok({ fd, writable: flags === fs.constants.O_RDWR, ident: node.ident });
  }

  private async stripPrivileges(fd: number, st: NativeStat, caller: Caller | undefined): Promise<void> {
    if (!this.options.privileged || caller === undefined) return;
    const mode = modeAfterWrite(caller, attrsFromStats(st));
    if (mode === undefined) return;
    const failed = await fsOps().chmod(fd, mode);
    if (failed !== undefined) throw systemError(failed, 'chmod');
  }

  private release(file: OpenFile): void {
    file.pins--;
    file.lastUsed = Date.now();
    if (file.retired && file.pins === 0) closeQuietly(file.fd);
  }

  /** Closes least recently used descriptors until at most `limit` remain; returns how many it closed. */
  private evict(limit: number): number {
    let closed = 0;
    for (const [key, file] of this.files) {
      if (this.files.size <= limit) break;
      this.retire(key, file);
      closed++;
    }
    return closed;
  }

  /**
   * Drops the cached descriptor of an object whose name was removed: a descriptor held open would keep
   * a deleted file's space allocated and its inode number from being reused.
   */
  forget(ident: Identity): void {
    const key = keyOf(ident);
    const file = this.files.get(key);
    if (file) this.retire(key, file);
  }

  private retire(key: string, file: OpenFile): void {
    if (this.files.get(key) === file) this.files.delete(key);
    file.retired = true;
    if (file.pins === 0) closeQuietly(file.fd);
  }
}

/** node:fs takes positions as numbers (fs.write ignores bigints), exact up to 2^53: beyond any file
 * size Linux filesystems allow in practice, so larger offsets are refused rather than rounded. */
function safePosition(offset: bigint, length: number): number | undefined {
  if (offset < 0n || offset + BigInt(length) > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(offset);
}

/** The largest offset a file can have (loff_t). */
export const MAX_OFFSET = 0x7fff_ffff_ffff_ffffn;

function keyOf(ident: Identity): string {
  return `${ident.dev}:${ident.ino}:${ident.btime}`;
}
