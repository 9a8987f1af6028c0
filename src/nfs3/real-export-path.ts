import { realpathSync } from 'node:fs';
import type { ExportRuntime } from './export-runtime.js';

const realPaths = new WeakMap<ExportRuntime, string>();

/** The export root as the kernel names it (what /proc/self/fd links show): symlinks in the configured
 * path resolved, once per export. */
export function realExportPath(exp: ExportRuntime): string {
  let p = realPaths.get(exp);
  if (p === undefined) {
    p = realpathSync(exp.path);
    realPaths.set(exp, p);
  }
  return p;
}
