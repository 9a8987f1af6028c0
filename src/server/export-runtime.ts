import { closeSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import type { Catalog } from '../catalog/catalog.js';
import { type ExportConfig, matchClient } from '../config/index.js';
import type { ClientAccess, ExportRuntime } from '../nfs3/export-runtime.js';
import type { ExportRegistry } from '../store/exports.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { ConfinedFs } from '../vfs/confined-fs.js';
import { DataIo } from '../vfs/data.js';
import { O_PATH } from '../vfs/proc-path.js';
import { type IdentityKind, identityKindOf, identityOfFd } from '../vfs/reuse-tag.js';

/** Client addresses whose access to one export is remembered. */
const ACCESS_CACHE_CAPACITY = 4096;

export class ExportOpenError extends Error {
  override readonly name = 'ExportOpenError';
}

/**
 * Opens one configured export: binds it to its stored id, uuid and fsid by the identity of its root
 * directory (so a renamed or reordered configuration keeps each export's handles), opens the root and
 * makes sure the catalog knows it.
 */
export async function openExport(
  config: ExportConfig,
  registry: ExportRegistry,
  catalog: Catalog,
  opts: { privileged: boolean; createRoot?: boolean },
): Promise<ExportRuntime> {
  if (opts.createRoot) mkdirSync(config.path, { recursive: true, mode: 0o755 });
  const { rootIdentity, identity } = probeRoot(config.path);
  const stored = registry.bindExport({
    path: config.path,
    name: config.name,
    rootIdentity,
    identity,
    ...(config.fsid !== undefined && { fsid: config.fsid }),
  });
  if (stored.previousDev !== undefined) catalog.rebaseDevice(stored.id, stored.previousDev, rootIdentity.dev);
  // crossmnt is per client: the server's own walks (and crossmnt clients) may cross when any client may;
  // clients without it get views confined to the export root's mount.
  const crossMounts = config.clients.some((c) => c.options.crossmnt);
  // Every view opens (and so checks identities against) a root of its own.
  const view = async (readOnly: boolean, crossing: boolean) => {
    const fs = new ConfinedFs({
      root: config.path,
      readOnly,
      crossMounts: crossing,
      privileged: opts.privileged,
    });
    const opened = await fs.openRoot();
    if (!opened.ok) throw new ExportOpenError(`export ${config.path}: cannot open root (${opened.errno})`);
    return { fs, root: opened.value };
  };
  const withoutRoot = (v: Awaited<ReturnType<typeof view>>) => {
    v.fs.closeVNode(v.root);
    return v.fs;
  };
  // The read-write crossing view's root VNode is the export's root.
  const { fs, root } = await view(false, crossMounts);
  const fsReadOnly = withoutRoot(await view(true, crossMounts));
  const confined = crossMounts
    ? { rw: withoutRoot(await view(false, false)), ro: withoutRoot(await view(true, false)) }
    : { rw: fs, ro: fsReadOnly };
  const rootObj = catalog.root(stored.id, root.ident);
  // By client address; `null`: the export does not admit that client.
  const accessCache = new BoundedCache<string, ClientAccess | null>({ capacity: ACCESS_CACHE_CAPACITY });
  return {
    id: stored.id,
    uuid: stored.uuid,
    fsid: stored.fsid,
    name: config.name,
    path: config.path,
    identity,
    fs,
    fsReadOnly,
    viewFs(readOnly: boolean, crossing: boolean): ConfinedFs {
      if (crossing) return readOnly ? fsReadOnly : fs;
      return readOnly ? confined.ro : confined.rw;
    },
    data: new DataIo({ readOnly: false, privileged: opts.privileged }),
    dataReadOnly: new DataIo({ readOnly: true, privileged: opts.privileged }),
    root,
    rootId: rootObj.id,
    access(address: string): ClientAccess | undefined {
      const cached = accessCache.get(address);
      if (cached !== undefined) return cached ?? undefined;
      const o = matchClient(config, address);
      const access: ClientAccess | undefined = o && {
        readOnly: o.access === 'ro',
        secure: o.secure,
        crossMounts: o.crossmnt,
        sync: o.sync,
        squash: {
          rootSquash: o.squash !== 'no_root_squash',
          allSquash: o.squash === 'all_squash',
          anonUid: o.anonuid,
          anonGid: o.anongid,
        },
      };
      accessCache.set(address, access ?? null);
      return access;
    },
  };
}

/** The root's identity and which kind of identity the export's objects get (see vfs/reuse-tag.ts). */
function probeRoot(path: string): { rootIdentity: ReturnType<typeof identityOfFd>; identity: IdentityKind } {
  let fd: number;
  try {
    fd = openSync(path, O_PATH);
  } catch (err) {
    throw new ExportOpenError(`export ${path}: ${(err as Error).message}`);
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (!st.isDirectory()) throw new ExportOpenError(`export ${path}: not a directory`);
    return { rootIdentity: identityOfFd(fd, st), identity: identityKindOf(fd, st) };
  } finally {
    closeSync(fd);
  }
}

export function closeExport(exp: ExportRuntime): void {
  exp.data.close();
  exp.dataReadOnly.close();
  exp.fs.close();
  exp.fsReadOnly.close();
  exp.viewFs(false, false).close();
  exp.viewFs(true, false).close();
}
