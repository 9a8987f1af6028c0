import type { ExportConfig } from '../config/index.js';
import type { ResolveMountPath } from '../mount/index.js';
import type { ExportRuntime } from '../nfs3/export-runtime.js';
import type { Objects } from '../nfs3/objects.js';
import { SERVER_CALLER as SERVER } from '../vfs/credentials.js';
import { isDotOrDotDot } from '../vfs/names.js';
import { PinScope } from '../vfs/pin-scope.js';
import { FileType } from '../vfs/types.js';
import { mountstat3 } from '../xdr/generated/mount.js';

/**
 * MNT of an export root or of a directory below it: looks each component up inside the export (never
 * following a symlink, never `.` or `..`), records the directories in the catalog and waits for the
 * commit, so the handle it returns survives a crash like any other.
 */
export function mountPathResolver(
  objects: Objects,
  byPath: (exp: ExportConfig) => ExportRuntime | undefined,
): ResolveMountPath {
  return async (config, relative) => {
    const exp = byPath(config);
    if (!exp) return { status: mountstat3.MNT3ERR_NOENT };
    let obj = objects.catalogObject(exp.rootId);
    let node = exp.root;
    if (!obj) return { status: mountstat3.MNT3ERR_SERVERFAULT };
    // Each directory walked through stays open until the walk is done.
    const pins = new PinScope();
    try {
      for (const name of relative) {
        if (name.length === 0 || isDotOrDotDot(name)) {
          return { status: mountstat3.MNT3ERR_INVAL };
        }
        const found = exp.fs.lookup(node, name, SERVER);
        if (!found.ok) {
          return {
            status:
              found.errno === 'ENOENT'
                ? mountstat3.MNT3ERR_NOENT
                : found.errno === 'ENAMETOOLONG'
                  ? mountstat3.MNT3ERR_NAMETOOLONG
                  : mountstat3.MNT3ERR_ACCES,
          };
        }
        if (found.value.attrs.type !== FileType.DIR) {
          exp.fs.closeVNode(found.value.node);
          return { status: mountstat3.MNT3ERR_NOTDIR };
        }
        obj = objects.record(exp, obj.id, name, found.value, pins);
        const next = objects.nodeOf(exp, obj, pins);
        if (!next) return { status: mountstat3.MNT3ERR_NOENT };
        node = next;
      }
    } finally {
      pins.release();
    }
    const fh = objects.handleFor(exp, obj);
    await objects.durable();
    return { fh };
  };
}
