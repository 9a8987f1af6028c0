import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest ancestor of this module holding a package.json.
 * Compiled modules live under dist/, but the shell scripts they drive are not compiled,
 * so non-TypeScript assets are located from the root, never relative to dist/.
 */
export function findRepoRoot(fromUrl: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(fromUrl)}`);
    dir = parent;
  }
}

/** The source folder of the VM harness: build script and guest scripts. */
export function vmSourceDir(): string {
  return path.join(findRepoRoot(), 'test', 'e2e', 'vm');
}

/** A compiled sibling module of this one (e.g. the broker), as a file URL for import(). */
export function siblingModuleUrl(basename: string): string {
  return new URL(`./${basename}`, import.meta.url).href;
}
