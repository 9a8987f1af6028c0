import { RpcClient } from '../../src/rpc/client.js';
import type { Auth } from '../../src/rpc/types.js';
import type { ProcedureCodec } from '../../src/xdr/codec.js';
import {
  MOUNT_PROGRAM,
  MOUNT_V3,
  MOUNT_V3_PROCEDURES,
  type mountres3,
} from '../../src/xdr/generated/mount.js';
import {
  type ACCESS3res,
  type COMMIT3res,
  type CREATE3res,
  type createhow3,
  type entryplus3,
  type FSINFO3res,
  type FSSTAT3res,
  type GETATTR3res,
  type LINK3res,
  type LOOKUP3res,
  type MKDIR3res,
  type MKNOD3res,
  type mknoddata3,
  NFS_PROGRAM,
  NFS_V3,
  NFS_V3_PROCEDURES,
  nfsstat3,
  type nfstime3,
  type PATHCONF3res,
  type READ3res,
  type READDIR3res,
  type READDIRPLUS3res,
  type READLINK3res,
  type REMOVE3res,
  type RENAME3res,
  type RMDIR3res,
  type SETATTR3res,
  type SYMLINK3res,
  type sattr3,
  type sattrguard3,
  type stable_how,
  type WRITE3res,
} from '../../src/xdr/generated/nfs3.js';

/** An NFS file handle as the client holds it: opaque bytes. */
export type Fh = Buffer;

/** Who the calls claim to be (AUTH_SYS). */
export interface Credentials {
  readonly uid: number;
  readonly gid: number;
  readonly gids?: readonly number[];
}

export interface Nfs3ClientOptions {
  readonly host?: string;
  readonly nfsPort: number;
  readonly mountPort: number;
  readonly credentials?: Credentials;
  /** Bind a source port below 1024 (as root), so `secure` exports accept us; default true. */
  readonly privileged?: boolean;
  /** The local address to connect from (another loopback address stands for another client). */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

export const ROOT: Credentials = { uid: 0, gid: 0 };

/** The symbolic name of an nfsstat3 value, for readable assertion messages. */
export function statusName(status: number): string {
  for (const [name, value] of Object.entries(nfsstat3)) if (value === status) return name;
  return `nfsstat3(${status})`;
}

/** The resok of a successful result; throws (naming the status) otherwise. */
export function ok<R extends { status: number }>(res: R, what = 'call'): Extract<R, { status: 0 }> {
  if (res.status !== 0) throw new Error(`${what}: expected NFS3_OK, got ${statusName(res.status)}`);
  return res as Extract<R, { status: 0 }>;
}

/** The attributes of a post_op_attr, or a thrown error if the server left them out. */
export function attrsOf<T>(p: { attributes_follow: true; attributes: T } | { attributes_follow: false }): T {
  if (!p.attributes_follow) throw new Error('post_op_attr without attributes');
  return p.attributes;
}

/** The handle of a post_op_fh3, or a thrown error if the server left it out. */
export function handleOf(
  p: { handle_follows: true; handle: { data: Buffer } } | { handle_follows: false },
): Fh {
  if (!p.handle_follows) throw new Error('post_op_fh3 without a handle');
  return p.handle.data;
}

export interface SattrFields {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: bigint;
  atime?: 'server' | nfstime3;
  mtime?: 'server' | nfstime3;
}

/** A sattr3 setting exactly the given fields. */
export function sattr(f: SattrFields = {}): sattr3 {
  const time = (t: 'server' | nfstime3 | undefined) =>
    t === undefined
      ? { set_it: 0 as const }
      : t === 'server'
        ? { set_it: 1 as const }
        : { set_it: 2 as const, t };
  const atime = time(f.atime);
  const mtime = time(f.mtime);
  return {
    mode: f.mode === undefined ? { set_it: false } : { set_it: true, mode: f.mode },
    uid: f.uid === undefined ? { set_it: false } : { set_it: true, uid: f.uid },
    gid: f.gid === undefined ? { set_it: false } : { set_it: true, gid: f.gid },
    size: f.size === undefined ? { set_it: false } : { set_it: true, size: f.size },
    atime: atime.set_it === 2 ? { set_it: 2, atime: atime.t } : { set_it: atime.set_it },
    mtime: mtime.set_it === 2 ? { set_it: 2, mtime: mtime.t } : { set_it: mtime.set_it },
  };
}

const name = (n: string | Buffer): Buffer => (typeof n === 'string' ? Buffer.from(n, 'utf8') : n);
const fh = (data: Fh) => ({ data });
const ZERO_VERF = Buffer.alloc(8);

export interface ListedEntry {
  readonly name: string;
  readonly fileid: bigint;
  readonly cookie: bigint;
  /** READDIRPLUS only. */
  readonly handle?: Fh;
}

export interface Listing {
  readonly entries: ListedEntry[];
  readonly pages: number;
  readonly cookieverf: Buffer;
}

const P = NFS_V3_PROCEDURES;

/**
 * A typed NFSv3 client for tests: one method per procedure, each resolving to the decoded result union
 * (NFS errors are values, not exceptions), plus a MOUNT call and conveniences built on them.
 */
export class Nfs3Client {
  private constructor(
    private readonly nfs: RpcClient,
    private readonly mnt: RpcClient,
    private readonly auth: Auth,
  ) {}

  static async connect(o: Nfs3ClientOptions): Promise<Nfs3Client> {
    const host = o.host ?? '127.0.0.1';
    const bindPrivileged = o.privileged ?? true;
    const auth = authSys(o.credentials ?? ROOT);
    const common = {
      host,
      bindPrivileged,
      auth,
      timeoutMs: o.timeoutMs ?? 20_000,
      ...(o.localAddress !== undefined && { localAddress: o.localAddress }),
    };
    const nfs = await RpcClient.connect({ ...common, port: o.nfsPort });
    try {
      const mnt = await RpcClient.connect({ ...common, port: o.mountPort });
      return new Nfs3Client(nfs, mnt, auth);
    } catch (e) {
      await nfs.close();
      throw e;
    }
  }

  /** The same connections, calling as someone else. */
  as(c: Credentials): Nfs3Client {
    return new Nfs3Client(this.nfs, this.mnt, authSys(c));
  }

  /** The local (source) port of the NFS connection. */
  get localPort(): number {
    return this.nfs.localPort;
  }

  async close(): Promise<void> {
    await Promise.all([this.nfs.close(), this.mnt.close()]);
  }

  // MOUNT v3

  mountCall(path: string): Promise<mountres3> {
    return this.mnt.call(MOUNT_PROGRAM, MOUNT_V3, MOUNT_V3_PROCEDURES.MOUNTPROC3_MNT, Buffer.from(path), {
      auth: this.auth,
    });
  }

  /** MNT: the export's root handle; throws if the server refuses. */
  async mount(path: string): Promise<Fh> {
    const res = await this.mountCall(path);
    if (res.fhs_status !== 0) throw new Error(`MNT ${path}: mountstat3 ${res.fhs_status}`);
    return res.mountinfo.fhandle;
  }

  // NFSv3, RFC 1813 section 3.3

  private call<A, R>(codec: ProcedureCodec<A, R>, args: A): Promise<R> {
    return this.nfs.call(NFS_PROGRAM, NFS_V3, codec, args, { auth: this.auth });
  }

  null(): Promise<undefined> {
    return this.call(P.NFSPROC3_NULL, undefined);
  }

  getattr(object: Fh): Promise<GETATTR3res> {
    return this.call(P.NFSPROC3_GETATTR, { object: fh(object) });
  }

  setattr(object: Fh, attrs: sattr3, guard: sattrguard3 = { check: false }): Promise<SETATTR3res> {
    return this.call(P.NFSPROC3_SETATTR, { object: fh(object), new_attributes: attrs, guard });
  }

  lookup(dir: Fh, n: string | Buffer): Promise<LOOKUP3res> {
    return this.call(P.NFSPROC3_LOOKUP, { what: { dir: fh(dir), name: name(n) } });
  }

  access(object: Fh, bits: number): Promise<ACCESS3res> {
    return this.call(P.NFSPROC3_ACCESS, { object: fh(object), access: bits });
  }

  readlink(symlink: Fh): Promise<READLINK3res> {
    return this.call(P.NFSPROC3_READLINK, { symlink: fh(symlink) });
  }

  read(file: Fh, offset: bigint | number, count: number): Promise<READ3res> {
    return this.call(P.NFSPROC3_READ, { file: fh(file), offset: BigInt(offset), count });
  }

  write(file: Fh, offset: bigint | number, data: Buffer, stable: stable_how = 2): Promise<WRITE3res> {
    return this.call(P.NFSPROC3_WRITE, {
      file: fh(file),
      offset: BigInt(offset),
      count: data.length,
      stable,
      data,
    });
  }

  create(
    dir: Fh,
    n: string | Buffer,
    how: createhow3 = { mode: 0, obj_attributes: sattr() },
  ): Promise<CREATE3res> {
    return this.call(P.NFSPROC3_CREATE, { where: { dir: fh(dir), name: name(n) }, how });
  }

  mkdir(dir: Fh, n: string | Buffer, attributes: sattr3 = sattr()): Promise<MKDIR3res> {
    return this.call(P.NFSPROC3_MKDIR, { where: { dir: fh(dir), name: name(n) }, attributes });
  }

  symlink(
    dir: Fh,
    n: string | Buffer,
    target: string | Buffer,
    attrs: sattr3 = sattr(),
  ): Promise<SYMLINK3res> {
    return this.call(P.NFSPROC3_SYMLINK, {
      where: { dir: fh(dir), name: name(n) },
      symlink: { symlink_attributes: attrs, symlink_data: name(target) },
    });
  }

  mknod(dir: Fh, n: string | Buffer, what: mknoddata3): Promise<MKNOD3res> {
    return this.call(P.NFSPROC3_MKNOD, { where: { dir: fh(dir), name: name(n) }, what });
  }

  remove(dir: Fh, n: string | Buffer): Promise<REMOVE3res> {
    return this.call(P.NFSPROC3_REMOVE, { object: { dir: fh(dir), name: name(n) } });
  }

  rmdir(dir: Fh, n: string | Buffer): Promise<RMDIR3res> {
    return this.call(P.NFSPROC3_RMDIR, { object: { dir: fh(dir), name: name(n) } });
  }

  rename(fromDir: Fh, fromName: string | Buffer, toDir: Fh, toName: string | Buffer): Promise<RENAME3res> {
    return this.call(P.NFSPROC3_RENAME, {
      from: { dir: fh(fromDir), name: name(fromName) },
      to: { dir: fh(toDir), name: name(toName) },
    });
  }

  link(file: Fh, dir: Fh, n: string | Buffer): Promise<LINK3res> {
    return this.call(P.NFSPROC3_LINK, { file: fh(file), link: { dir: fh(dir), name: name(n) } });
  }

  readdir(dir: Fh, cookie: bigint, cookieverf: Buffer, count: number): Promise<READDIR3res> {
    return this.call(P.NFSPROC3_READDIR, { dir: fh(dir), cookie, cookieverf, count });
  }

  readdirplus(
    dir: Fh,
    cookie: bigint,
    cookieverf: Buffer,
    dircount: number,
    maxcount: number,
  ): Promise<READDIRPLUS3res> {
    return this.call(P.NFSPROC3_READDIRPLUS, { dir: fh(dir), cookie, cookieverf, dircount, maxcount });
  }

  fsstat(root: Fh): Promise<FSSTAT3res> {
    return this.call(P.NFSPROC3_FSSTAT, { fsroot: fh(root) });
  }

  fsinfo(root: Fh): Promise<FSINFO3res> {
    return this.call(P.NFSPROC3_FSINFO, { fsroot: fh(root) });
  }

  pathconf(object: Fh): Promise<PATHCONF3res> {
    return this.call(P.NFSPROC3_PATHCONF, { object: fh(object) });
  }

  commit(file: Fh, offset: bigint | number = 0n, count = 0): Promise<COMMIT3res> {
    return this.call(P.NFSPROC3_COMMIT, { file: fh(file), offset: BigInt(offset), count });
  }

  // Conveniences: these throw on any status but NFS3_OK.

  /** LOOKUP each component of a '/'-separated path from `dir`. */
  async lookupPath(dir: Fh, path: string): Promise<Fh> {
    let at = dir;
    for (const part of path.split('/').filter((p) => p.length > 0)) {
      at = ok(await this.lookup(at, part), `LOOKUP ${part} of ${path}`).resok.object.data;
    }
    return at;
  }

  /** CREATE (UNCHECKED) and WRITE the whole content in chunks, FILE_SYNC; returns the file's handle. */
  async writeFile(dir: Fh, n: string, data: Buffer, chunk = 256 * 1024): Promise<Fh> {
    const created = ok(await this.create(dir, n), `CREATE ${n}`).resok;
    const file = handleOf(created.obj);
    for (let off = 0; off < data.length || off === 0; off += chunk) {
      const piece = data.subarray(off, off + chunk);
      const res = ok(await this.write(file, off, piece, 2), `WRITE ${n} at ${off}`).resok;
      if (res.count !== piece.length) throw new Error(`WRITE ${n} at ${off}: short write ${res.count}`);
      if (data.length === 0) break;
    }
    return file;
  }

  /** READ from offset 0 until eof. */
  async readAll(file: Fh, chunk = 256 * 1024): Promise<Buffer> {
    const parts: Buffer[] = [];
    let off = 0n;
    for (;;) {
      const r = ok(await this.read(file, off, chunk), `READ at ${off}`).resok;
      parts.push(Buffer.from(r.data));
      off += BigInt(r.count);
      if (r.eof) return Buffer.concat(parts);
      if (r.count === 0) throw new Error(`READ at ${off}: no data and no eof`);
    }
  }

  /**
   * Lists a directory completely with READDIR (or READDIRPLUS when `plus`), page by page with the
   * cookie and verifier of the previous page; `.` and `..` are left out.
   */
  async listAll(dir: Fh, opts: { plus?: boolean; count?: number; maxcount?: number } = {}): Promise<Listing> {
    const entries: ListedEntry[] = [];
    let cookie = 0n;
    let verf: Buffer = ZERO_VERF;
    let pages = 0;
    for (;;) {
      pages++;
      const proc = opts.plus ? 'READDIRPLUS' : 'READDIR';
      const page = opts.plus
        ? ok(
            await this.readdirplus(dir, cookie, verf, opts.count ?? 4096, opts.maxcount ?? 32768),
            `${proc} cookie ${cookie}`,
          ).resok
        : ok(await this.readdir(dir, cookie, verf, opts.count ?? 4096), `${proc} cookie ${cookie}`).resok;
      verf = page.cookieverf;
      const eof = page.reply.eof;
      for (const e of page.reply.entries) {
        cookie = e.cookie;
        const n = e.name.toString('utf8');
        if (n === '.' || n === '..') continue;
        const plus = e as Partial<entryplus3>;
        const handle = plus.name_handle?.handle_follows ? plus.name_handle.handle.data : undefined;
        entries.push({ name: n, fileid: e.fileid, cookie: e.cookie, ...(handle && { handle }) });
      }
      if (!eof && page.reply.entries.length === 0) throw new Error(`${proc}: empty page before eof`);
      if (eof) return { entries, pages, cookieverf: verf };
    }
  }
}

function authSys(c: Credentials): Auth {
  return {
    flavor: 1,
    stamp: 0,
    machinename: Buffer.from('nfsgate-test'),
    uid: c.uid,
    gid: c.gid,
    gids: [...(c.gids ?? [])],
  };
}

export type StatusName = keyof typeof nfsstat3;

/** Asserts the result's status is one of `names` (most tests name exactly one). */
export function expectStatus(res: { status: number }, ...names: StatusName[]): void {
  const got = statusName(res.status);
  if (!names.includes(got as StatusName)) throw new Error(`expected ${names.join(' or ')}, got ${got}`);
}

/** Asserts a wcc_data carries both the before (pre_op_attr) and the after (post_op_attr) attributes. */
export function expectWcc(
  wcc: { before: { attributes_follow: boolean }; after: { attributes_follow: boolean } },
  what: string,
): void {
  if (!wcc.before.attributes_follow) throw new Error(`${what}: wcc_data without pre-operation attributes`);
  if (!wcc.after.attributes_follow) throw new Error(`${what}: wcc_data without post-operation attributes`);
}
