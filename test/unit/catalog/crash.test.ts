import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Catalog } from '../../../src/catalog/catalog.js';
import { FileType } from '../../../src/catalog/types.js';
import { openStateStore } from '../../../src/server/state-store.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import { asObjectId } from '../../../src/store/ids.js';

const ROOT = { dev: 1n, ino: 2n, btime: 3n };
const CHILD_ENV = 'NFSGATE_CRASH_TEST_STATE_DIR';
/** What the child awaits before it prints a burst: 'durable' (synced) or 'written' (committed). */
const WAIT_ENV = 'NFSGATE_CRASH_TEST_WAIT';
type Wait = 'durable' | 'written';

/** Runs in the child: records links in bursts, prints each burst's ids once committed, never exits. */
async function recordUntilKilled(stateDir: string, wait: Wait): Promise<void> {
  const store = openStateStore(stateDir);
  const exp = new ExportRegistry(store).bindExport({ path: '/e', name: '/e', rootIdentity: ROOT });
  const catalog = new Catalog(store);
  const root = catalog.root(exp.id, ROOT);
  for (let burst = 0; ; burst++) {
    const objects = Array.from({ length: 16 }, (_, i) =>
      catalog.recordLink(
        exp.id,
        root.id,
        Buffer.from(`b${burst}-${i}`),
        { dev: 1n, ino: BigInt(100 + burst * 16 + i), btime: 9n },
        FileType.NF3REG,
      ),
    );
    await (wait === 'written' ? catalog.written() : catalog.durable());
    process.stdout.write(`${JSON.stringify(objects.map((o) => [o.id.toString(), o.generation]))}\n`);
    // More records that nobody awaits are in flight when the kill lands.
    catalog.recordLink(
      exp.id,
      root.id,
      Buffer.from(`pending-${burst}`),
      { dev: 1n, ino: BigInt(1_000_000 + burst), btime: 9n },
      FileType.NF3REG,
    );
    await new Promise((r) => setImmediate(r));
  }
}

if (process.env[CHILD_ENV]) {
  await recordUntilKilled(
    process.env[CHILD_ENV],
    process.env[WAIT_ENV] === 'written' ? 'written' : 'durable',
  );
} else {
  describe('Catalog after kill -9', () => {
    for (const wait of ['durable', 'written'] as const) {
      it(`still has every object whose ${wait}() had resolved before the process was killed`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'nfsgate-crash-'));
        try {
          const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
            env: { ...process.env, [CHILD_ENV]: dir, [WAIT_ENV]: wait },
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          const printed: [string, number][] = [];
          const exited = new Promise<NodeJS.Signals | null>((resolve) =>
            child.on('exit', (_c, sig) => resolve(sig)),
          );
          for await (const line of createInterface({ input: child.stdout })) {
            printed.push(...(JSON.parse(line) as [string, number][]));
            if (printed.length >= 16 * 20) {
              child.kill('SIGKILL');
              break;
            }
          }
          assert.equal(await exited, 'SIGKILL');

          const store = openStateStore(dir);
          const catalog = new Catalog(store);
          for (const [id, generation] of printed) {
            const o = catalog.get(asObjectId(BigInt(id)));
            assert.equal(o?.generation, generation, `object ${id} lost`);
            assert.equal(o?.state, 'live');
          }
          catalog.close();
          store.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
