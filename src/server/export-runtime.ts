import { closeSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import type { Catalog } from '../catalog/catalog.js';
import { type ExportConfig, matchClient } from '../config/index.js';
import type { ClientAccess, ExportRuntime } from '../nfs3/export-runtime.js';
import type { ExportRegistry } from '../store/exports.js';
import { ConfinedFs } from '../vfs/confined-fs.js';
import { DataIo } from '../vfs/data.js';
import { O_PATH } from '../vfs/proc-path.js';
import { type IdentityKind, identityKindOf, identityOfFd } from '../vfs/reuse-tag.js';

export class ExportOpenError extends Error {
  override readonly name = 'ExportOpenError';
}

/**
 * Opens one configured export: binds it to its stored id, uuid and fsid by the identity of its root
 * directory (so a renamed or reordered configuration keeps each export's handles), opens the root and
 * makes sure the catalog knows it.
 */
export function openExport(
  config: ExportConfig,
  registry: ExportRegistry,
  catalog: Catalog,
  opts: { privileged: boolean; createRoot?: boolean },
): ExportRuntime {
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
  const fs = new ConfinedFs({ root: config.path, readOnly: false, crossMounts, privileged: opts.privileged });
  const fsReadOnly = new ConfinedFs({
    root: config.path,
    readOnly: true,
    crossMounts,
    privileged: opts.privileged,
  });
  const confined = crossMounts
    ? {
        rw: new ConfinedFs({
          root: config.path,
          readOnly: false,
          crossMounts: false,
          privileged: opts.privileged,
        }),
        ro: new ConfinedFs({
          root: config.path,
          readOnly: true,
          crossMounts: false,
          privileged: opts.privileged,
        }),
      }
    : { rw: fs, ro: fsReadOnly };
  const root = fs.openRoot();
  if (!root.ok) throw new ExportOpenError(`export ${config.path}: cannot open root (${root.errno})`);
  // The read-only view checks identities against its own root too.
  const rootReadOnly = fsReadOnly.openRoot();
  if (!rootReadOnly.ok)
    throw new ExportOpenError(`export ${config.path}: cannot open root (${rootReadOnly.errno})`);
  fsReadOnly.closeVNode(rootReadOnly.value);
  for (const view of crossMounts ? [confined.rw, confined.ro] : []) {
    const opened = view.openRoot();
    if (!opened.ok) throw new ExportOpenError(`export ${config.path}: cannot open root (${opened.errno})`);
    view.closeVNode(opened.value);
  }
  const rootObj = catalog.root(stored.id, root.value.ident);
  const accessCache = new Map<string, ClientAccess | undefined>();
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
    root: root.value,
    rootId: rootObj.id,
    access(address: string): ClientAccess | undefined {
      if (accessCache.has(address)) return accessCache.get(address);
      const o = matchClient(config, address);
      const access: ClientAccess | undefined = o && {
        readOnly: o.access === 'ro',
        secure: o.secure,
        crossMounts: o.crossmnt,
        squash: {
          rootSquash: o.squash !== 'no_root_squash',
          allSquash: o.squash === 'all_squash',
          anonUid: o.anonuid,
          anonGid: o.anongid,
        },
      };
      if (accessCache.size > 4096) accessCache.clear();
      accessCache.set(address, access);
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
