import type { ExportConfig } from '../config/index.js';
import { pathComponents } from '../vfs/names.js';

export type ExportLookup =
  | { readonly found: true; readonly exp: ExportConfig; readonly components: Buffer[] }
  | { readonly found: false; readonly reason: 'not-exported' | 'dot-dot' };

function isPrefix(prefix: readonly Buffer[], of: readonly Buffer[]): boolean {
  return prefix.length <= of.length && prefix.every((c, i) => c.equals(of[i]!));
}

/**
 * Finds the export a MOUNT dirpath names, by its MOUNT name or its local path; the longest match wins so
 * nested exports work. Returns the remaining components (copied: the request buffer is reused). `.` is
 * dropped; `..` is refused rather than interpreted, so a dirpath can never climb out of an export.
 */
export function findExport(exports: readonly ExportConfig[], dirpath: Buffer): ExportLookup {
  const wanted = pathComponents(dirpath).filter((c) => !(c.length === 1 && c[0] === 0x2e));
  if (wanted.some((c) => c.length === 2 && c[0] === 0x2e && c[1] === 0x2e))
    return { found: false, reason: 'dot-dot' };
  let best: { exp: ExportConfig; depth: number } | undefined;
  for (const exp of exports) {
    for (const root of [exp.name, exp.path]) {
      const rootComponents = pathComponents(Buffer.from(root));
      if (isPrefix(rootComponents, wanted) && (!best || rootComponents.length > best.depth)) {
        best = { exp, depth: rootComponents.length };
      }
    }
  }
  if (!best) return { found: false, reason: 'not-exported' };
  return { found: true, exp: best.exp, components: wanted.slice(best.depth).map((c) => Buffer.from(c)) };
}
