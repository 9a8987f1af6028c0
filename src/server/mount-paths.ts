import type { ExportConfig } from '../config/index.js';
import type { ResolveMountPath } from '../mount/index.js';
import type { ExportRuntime } from '../nfs3/export-runtime.js';
import type { Objects } from '../nfs3/objects.js';
import { realExportPath } from '../nfs3/real-export-path.js';
import { SERVER_CALLER as SERVER } from '../vfs/credentials.js';
import { isDotOrDotDot, pathComponents } from '../vfs/names.js';
import { PinScope } from '../vfs/pin-scope.js';
import { FileType } from '../vfs/types.js';
import { mountstat3 } from '../xdr/generated/mount.js';

/** As Linux (and mountd's realpath) allow: more symlinks in one path is a loop. */
const MAX_SYMLINKS = 40;
const SLASH = 0x2f;

/**
 * MNT of an export root or of a directory below it: looks each component up inside the export (never
 * `.` or `..` from the client), records the directories in the catalog and waits for the commit, so the
 * handle it returns survives a crash like any other. A symlink on the way is followed, as Linux mountd
 * resolves the path it is given, but only when what it names stays inside the export: its target is
 * read by descriptor and resolved against the components walked so far (an absolute one against the
 * export's real path), and the walk starts again from the root; anything that would leave the export is
 * refused and logged.
 */
export function mountPathResolver(
  objects: Objects,
  byPath: (exp: ExportConfig) => ExportRuntime | undefined,
): ResolveMountPath {
  return async (config, relative) => {
    const exp = byPath(config);
    if (!exp) return { status: mountstat3.MNT3ERR_NOENT };
    for (const name of relative) {
      if (name.length === 0 || isDotOrDotDot(name)) return { status: mountstat3.MNT3ERR_INVAL };
    }
    let wanted = relative;
    let followed = 0;
    // Each directory walked through stays open until the walk is done.
    const pins = new PinScope();
    try {
      walk: for (;;) {
        let obj = objects.catalogObject(exp.rootId);
        let node = exp.root;
        if (!obj) return { status: mountstat3.MNT3ERR_SERVERFAULT };
        for (let i = 0; i < wanted.length; i++) {
          const name = wanted[i]!;
          const found = await exp.fs.lookup(node, name, SERVER);
          if (!found.ok) return { status: mountStatus(found.errno) };
          if (found.value.attrs.type === FileType.LNK) {
            const target = await exp.fs.readlink(found.value.node);
            exp.fs.closeVNode(found.value.node);
            if (!target.ok) return { status: mountStatus(target.errno) };
            if (++followed > MAX_SYMLINKS)
              return { status: mountstat3.MNT3ERR_ACCES, why: 'too many symlinks' };
            const resolved = resolveTarget(exp, wanted.slice(0, i), target.value);
            if (resolved === undefined)
              return { status: mountstat3.MNT3ERR_ACCES, why: 'symlink leads outside the export' };
            wanted = [...resolved, ...wanted.slice(i + 1)];
            continue walk;
          }
          if (found.value.attrs.type !== FileType.DIR) {
            exp.fs.closeVNode(found.value.node);
            return { status: mountstat3.MNT3ERR_NOTDIR };
          }
          obj = await objects.record(exp, obj.id, name, found.value, pins);
          const next = await objects.nodeOf(exp, obj, pins);
          if (!next) return { status: mountstat3.MNT3ERR_NOENT };
          node = next;
        }
        const fh = objects.handleFor(exp, obj);
        await objects.durable();
        return { fh };
      }
    } finally {
      pins.release();
    }
  };
}

function mountStatus(errno: string) {
  return errno === 'ENOENT'
    ? mountstat3.MNT3ERR_NOENT
    : errno === 'ENAMETOOLONG'
      ? mountstat3.MNT3ERR_NAMETOOLONG
      : mountstat3.MNT3ERR_ACCES;
}

/**
 * The components below the export root a symlink's target names, read from the directory `at` (the
 * components walked so far), or undefined when it leaves the export. `..` above the root leaves it; an
 * absolute target must lie under the export's real path.
 */
function resolveTarget(exp: ExportRuntime, at: readonly Buffer[], target: Buffer): Buffer[] | undefined {
  let base: Buffer[];
  if (target[0] === SLASH) {
    const root = pathComponents(Buffer.from(realExportPath(exp)));
    const parts = pathComponents(target);
    if (parts.length < root.length || !root.every((c, i) => c.equals(parts[i]!))) return undefined;
    base = [];
    target = Buffer.concat(parts.slice(root.length).flatMap((c) => [c, Buffer.from('/')]));
  } else base = [...at];
  for (const part of pathComponents(target)) {
    if (part.length === 1 && part[0] === 0x2e) continue;
    if (isDotOrDotDot(part)) {
      if (base.pop() === undefined) return undefined;
    } else base.push(part);
  }
  return base;
}
