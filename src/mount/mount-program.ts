import type { Logger } from 'pino';
import { type ExportConfig, matchClient, parseIpAddress } from '../config/index.js';
import type { CallContext, ProcedureHandler, ProgramVersion } from '../rpc/types.js';
import type { ProcedureCodec } from '../xdr/codec.js';
import {
  type dirpath,
  type exports,
  MOUNT_PROGRAM,
  MOUNT_V3,
  MOUNT_V3_PROCEDURES,
  type mountlist,
  type mountres3,
  mountstat3,
} from '../xdr/generated/mount.js';
import { findExport } from './find-export.js';
import type { MountList } from './mount-list.js';

/** The MOUNT version `showmount` speaks; its DUMP and EXPORT are encoded exactly as version 3's. */
export const MOUNT_V1 = 1;

const AUTH_SYS = 1;
/** Ports below this are privileged: only root can bind them, which is what exports(5) `secure` relies on. */
const IPPORT_RESERVED = 1024;

export type MountError = Exclude<mountstat3, 0>;

/** Looks up (and makes durable) the handle of a directory below an export root, provided by the NFS side. */
export type ResolveMountPath = (
  exp: ExportConfig,
  relative: Buffer[],
) => Promise<{ fh: Buffer } | { status: MountError; why?: string }>;

export interface MountServiceDeps {
  /** The current exports (a function, so a reloaded configuration is seen at once). */
  readonly exports: () => readonly ExportConfig[];
  readonly mounts: MountList;
  readonly resolveMountPath: ResolveMountPath;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** How a client is named in the mount list: its address, with IPv4-mapped IPv6 written as plain IPv4. */
export function clientName(address: string): string {
  const ip = parseIpAddress(address);
  return ip?.family === 4 && address.includes(':') ? address.slice(address.lastIndexOf(':') + 1) : address;
}

/** The MOUNT service logic, independent of the wire: each method is one procedure. */
export class MountService {
  constructor(private readonly deps: MountServiceDeps) {}

  async mnt(ctx: CallContext, path: dirpath): Promise<mountres3> {
    const client = clientName(ctx.peer.address);
    const shown = path.toString('utf8');
    const refuse = (status: MountError, why: string): mountres3 => {
      this.deps.logger.warn({ client, port: ctx.peer.port, dirpath: shown, status, why }, 'mount refused');
      return { fhs_status: status };
    };
    const lookup = findExport(this.deps.exports(), path);
    if (!lookup.found) return refuse(mountstat3.MNT3ERR_ACCES, lookup.reason);
    const options = matchClient(lookup.exp, ctx.peer.address);
    if (!options) return refuse(mountstat3.MNT3ERR_ACCES, 'client not allowed');
    if (options.secure && ctx.peer.port >= IPPORT_RESERVED)
      return refuse(mountstat3.MNT3ERR_ACCES, 'insecure port');
    const resolved = await this.deps.resolveMountPath(lookup.exp, lookup.components);
    if ('status' in resolved) return refuse(resolved.status, resolved.why ?? 'path not resolved');
    try {
      this.deps.mounts.addMount(client, shown);
    } catch (err) {
      // The mount list only feeds DUMP (informational); failing to record it must not fail the mount.
      this.deps.logger.error({ err, client, dirpath: shown }, 'could not record mount');
    }
    this.deps.logger.info({ client, dirpath: shown, export: lookup.exp.name }, 'mount');
    return { fhs_status: mountstat3.MNT3_OK, mountinfo: { fhandle: resolved.fh, auth_flavors: [AUTH_SYS] } };
  }

  dump(): mountlist {
    return this.deps.mounts
      .listMounts()
      .map((m) => ({ ml_hostname: Buffer.from(m.client), ml_directory: Buffer.from(m.dirpath) }));
  }

  umnt(ctx: CallContext, path: dirpath): undefined {
    const client = clientName(ctx.peer.address);
    const shown = path.toString('utf8');
    this.deps.mounts.removeMount(client, shown);
    this.deps.logger.info({ client, dirpath: shown }, 'unmount');
    return undefined;
  }

  umntall(ctx: CallContext): undefined {
    const client = clientName(ctx.peer.address);
    this.deps.mounts.removeAllMounts(client);
    this.deps.logger.info({ client }, 'unmount all');
    return undefined;
  }

  export(): exports {
    return this.deps.exports().map((e) => ({
      ex_dir: Buffer.from(e.name),
      ex_groups: e.clients.map((c) => ({ gr_name: Buffer.from(c.spec.text) })),
    }));
  }
}

function handler<A, R>(
  codec: ProcedureCodec<A, R>,
  idempotent: boolean,
  handle: (ctx: CallContext, args: A) => R | Promise<R>,
): [number, ProcedureHandler<A, R>] {
  return [codec.proc, { codec, idempotent, handle }];
}

function renamed<A, R>(codec: ProcedureCodec<A, R>, name: string): ProcedureCodec<A, R> {
  return { ...codec, name };
}

/**
 * MOUNT version 3 (RFC 1813 section 5), and version 1 without MNT: showmount asks version 1 for EXPORT
 * and DUMP, while a version 1 MNT would have to return a 32-byte NFSv2 handle, which this server has not.
 * Both AUTH_NONE and AUTH_SYS callers are served (some clients send MNT with AUTH_NONE).
 */
export function mountPrograms(service: MountService): ProgramVersion[] {
  const p = MOUNT_V3_PROCEDURES;
  const nul = handler(p.MOUNTPROC3_NULL, true, () => undefined);
  const dump = handler(p.MOUNTPROC3_DUMP, true, () => service.dump());
  // UMNT/UMNTALL only remove entries: repeating one is harmless.
  const umnt = handler(p.MOUNTPROC3_UMNT, true, (ctx, path) => service.umnt(ctx, path));
  const umntall = handler(p.MOUNTPROC3_UMNTALL, true, (ctx) => service.umntall(ctx));
  const exp = handler(p.MOUNTPROC3_EXPORT, true, () => service.export());
  const v3: ProgramVersion = {
    prog: MOUNT_PROGRAM,
    vers: MOUNT_V3,
    procedures: new Map<number, ProcedureHandler<unknown, unknown>>([
      nul,
      handler(p.MOUNTPROC3_MNT, true, (ctx, path) => service.mnt(ctx, path)),
      dump,
      umnt,
      umntall,
      exp,
    ] as [number, ProcedureHandler<unknown, unknown>][]),
  };
  const v1Entries = [
    [p.MOUNTPROC3_NULL, 'MOUNTPROC_NULL', nul],
    [p.MOUNTPROC3_DUMP, 'MOUNTPROC_DUMP', dump],
    [p.MOUNTPROC3_UMNT, 'MOUNTPROC_UMNT', umnt],
    [p.MOUNTPROC3_UMNTALL, 'MOUNTPROC_UMNTALL', umntall],
    [p.MOUNTPROC3_EXPORT, 'MOUNTPROC_EXPORT', exp],
  ] as const;
  const v1: ProgramVersion = {
    prog: MOUNT_PROGRAM,
    vers: MOUNT_V1,
    procedures: new Map(
      v1Entries.map(([codec, name, [proc, h]]) => [
        proc,
        { ...h, codec: renamed(codec as ProcedureCodec<unknown, unknown>, name) } as ProcedureHandler<
          unknown,
          unknown
        >,
      ]),
    ),
  };
  return [v3, v1];
}
