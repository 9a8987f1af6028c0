import { programVersion } from '../rpc/program.js';
import type { ProgramVersion } from '../rpc/types.js';
import { NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES } from '../xdr/generated/nfs3.js';
import { withCallPins } from './call-pins.js';
import type { Nfs3Deps } from './deps.js';
import { unlessNotDurable as durably, NOT_DURABLE } from './not-durable.js';
import { access, fsinfo, fsstat, getattr, pathconf, readlink, setattr } from './procs-attrs.js';
import { commit, read, write } from './procs-data.js';
import { create, link, lookup, mkdir, mknod, remove, rename, rmdir, symlink } from './procs-names.js';
import { readdir, readdirplus } from './procs-readdir.js';

/**
 * NFS version 3 (RFC 1813), all 22 procedures. Procedures whose retry must not run twice (they create,
 * remove or rename names, or change attributes) go through the duplicate request cache. Procedures that
 * hand out handles answer JUKEBOX when the catalog cannot make them durable (not-durable.ts).
 */
export function nfs3Program(d: Nfs3Deps): ProgramVersion {
  const once = false;
  const safe = true;
  const program = programVersion(NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES, {
    NFSPROC3_NULL: { idempotent: safe, handle: () => undefined },
    NFSPROC3_GETATTR: { idempotent: safe, handle: (ctx, a) => getattr(d, ctx, a) },
    NFSPROC3_SETATTR: { idempotent: once, handle: (ctx, a) => setattr(d, ctx, a) },
    NFSPROC3_LOOKUP: {
      idempotent: safe,
      handle: (ctx, a) => durably(() => lookup(d, ctx, a), NOT_DURABLE.lookup),
    },
    NFSPROC3_ACCESS: { idempotent: safe, handle: (ctx, a) => access(d, ctx, a) },
    NFSPROC3_READLINK: { idempotent: safe, handle: (ctx, a) => readlink(d, ctx, a) },
    NFSPROC3_READ: { idempotent: safe, handle: (ctx, a) => read(d, ctx, a) },
    NFSPROC3_WRITE: { idempotent: safe, handle: (ctx, a) => write(d, ctx, a) },
    NFSPROC3_CREATE: {
      idempotent: once,
      handle: (ctx, a) => durably(() => create(d, ctx, a), NOT_DURABLE.created),
    },
    NFSPROC3_MKDIR: {
      idempotent: once,
      handle: (ctx, a) => durably(() => mkdir(d, ctx, a), NOT_DURABLE.created),
    },
    NFSPROC3_SYMLINK: {
      idempotent: once,
      handle: (ctx, a) => durably(() => symlink(d, ctx, a), NOT_DURABLE.created),
    },
    NFSPROC3_MKNOD: {
      idempotent: once,
      handle: (ctx, a) => durably(() => mknod(d, ctx, a), NOT_DURABLE.created),
    },
    NFSPROC3_REMOVE: { idempotent: once, handle: (ctx, a) => remove(d, ctx, a) },
    NFSPROC3_RMDIR: { idempotent: once, handle: (ctx, a) => rmdir(d, ctx, a) },
    NFSPROC3_RENAME: {
      idempotent: once,
      handle: (ctx, a) => durably(() => rename(d, ctx, a), NOT_DURABLE.rename),
    },
    NFSPROC3_LINK: { idempotent: once, handle: (ctx, a) => durably(() => link(d, ctx, a), NOT_DURABLE.link) },
    NFSPROC3_READDIR: { idempotent: safe, handle: (ctx, a) => readdir(d, ctx, a) },
    NFSPROC3_READDIRPLUS: {
      idempotent: safe,
      handle: (ctx, a) => durably(() => readdirplus(d, ctx, a), NOT_DURABLE.readdirplus),
    },
    NFSPROC3_FSSTAT: { idempotent: safe, handle: (ctx, a) => fsstat(d, ctx, a) },
    NFSPROC3_FSINFO: { idempotent: safe, handle: (ctx, a) => fsinfo(d, ctx, a) },
    NFSPROC3_PATHCONF: { idempotent: safe, handle: (ctx, a) => pathconf(d, ctx, a) },
    NFSPROC3_COMMIT: { idempotent: safe, handle: (ctx, a) => commit(d, ctx, a) },
  });
  // Every call holds the descriptors it resolves until it is done.
  return withCallPins(program);
}
