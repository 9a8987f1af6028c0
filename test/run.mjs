// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner, suites in a fixed
// order: unit, fuzz, integration, restart persistence, then the kernel client in a VM.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const dist = join(root, 'dist', 'test');
const order = ['unit', 'fuzz', 'integration', 'restart', 'e2e'];
const only = process.argv.slice(2);

function collect(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return collect(p);
      return name.endsWith('.test.js') ? [p] : [];
    });
}

const suites = (only.length ? only : order).map((s) => join(dist, s));
const files = suites.flatMap(collect);
if (files.length === 0) {
  console.error('no compiled tests found: run `npm run build` first');
  process.exit(1);
}
console.error(`running ${files.length} test files: ${files.map((f) => relative(dist, f)).join(' ')}`);
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
