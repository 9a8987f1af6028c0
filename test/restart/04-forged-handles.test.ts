import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, type Nfs3Client, ok, statusName } from '../helpers/nfs3-client.js';
import { ServerProcess } from '../helpers/server-process.js';
import { connectTo, Gateway, OPEN_OPTIONS } from './helpers/gateway.js';
import { Seeded, testSeed } from './helpers/seeded.js';
import { descriptorsUnder, exportTouches, requireStrace, type TracedCall, Tracer } from './helpers/strace.js';

interface Valid {
  readonly root: Fh;
  readonly dir: Fh;
  readonly file: Fh;
}

async function buildTree(c: Nfs3Client, root: Fh): Promise<Valid> {
  const a = handleOf(ok(await c.mkdir(root, 'a'), 'MKDIR a').resok.obj);
  const dir = handleOf(ok(await c.mkdir(a, 'b'), 'MKDIR b').resok.obj);
  const file = await c.writeFile(dir, 'f.txt', Buffer.from('secret'));
  for (let i = 0; i < 5; i++) await c.writeFile(dir, `more${i}`, Buffer.from('x'));
  return { root, dir, file };
}

/** Every procedure that takes a handle, once each, with the handle in the first handle position. */
async function useEverywhere(c: Nfs3Client, fh: Fh): Promise<number[]> {
  const results = await Promise.all([
    c.getattr(fh),
    c.access(fh, 0x3f),
    c.lookup(fh, 'f.txt'),
    c.read(fh, 0, 16),
    c.readdir(fh, 0n, Buffer.alloc(8), 4096),
    c.readdirplus(fh, 0n, Buffer.alloc(8), 4096, 8192),
    c.readlink(fh),
    c.write(fh, 0, Buffer.from('forged'), 2),
    c.fsstat(fh),
    c.pathconf(fh),
    c.commit(fh),
  ]);
  return results.map((r) => r.status);
}

function describeTouches(touches: readonly TracedCall[]): string {
  return touches
    .slice(0, 15)
    .map((t) => t.line)
    .join('\n');
}

describe('forged handles are refused before any filesystem call', () => {
  const rng = new Seeded(testSeed(0xf0f0));
  const traceDir = mkdtempSync(join(tmpdir(), 'nfsgate-trace-'));
  let gw: Gateway;
  let valid: Valid;
  let foreign: Valid;
  let traces = 0;

  before(async () => {
    requireStrace();
    gw = await Gateway.start();
    valid = await buildTree(gw.client, gw.root);
    // Another state folder is another keyring: its handles look right but were never issued here.
    const other = await Gateway.start();
    try {
      foreign = await buildTree(other.client, other.root);
    } finally {
      await other.close();
    }
  });

  after(async () => {
    await gw?.close();
    if (!process.env.NFSGATE_KEEP_TRACES) rmSync(traceDir, { recursive: true, force: true });
  });

  /** Runs `fn` against a freshly started server (nothing cached) with strace attached to it. */
  async function traced(server: ServerProcess, fn: () => Promise<void>): Promise<TracedCall[]> {
    const pid = server.pid!;
    const exportFds = descriptorsUnder(pid, server.exportDir);
    assert.ok(exportFds.size > 0, 'the server holds a descriptor on its export root');
    const tracer = await Tracer.attach(pid, join(traceDir, `trace-${++traces}.txt`));
    let calls: TracedCall[];
    try {
      await fn();
    } finally {
      calls = await tracer.stop();
    }
    assert.ok(calls.length > 0, 'strace saw the server work (socket reads and writes at least)');
    return exportTouches(calls, server.exportDir, exportFds);
  }

  it('sees, in the same trace, a valid handle reach the export (so the check below is not vacuous)', async () => {
    await gw.restart();
    const touches = await traced(gw.server, async () => {
      for (const fh of [valid.root, valid.dir, valid.file])
        ok(await gw.client.getattr(fh), 'GETATTR of a valid handle');
      ok(await gw.client.readdir(valid.dir, 0n, Buffer.alloc(8), 4096), 'READDIR of a valid handle');
    });
    const names = new Set(touches.map((t) => t.name));
    assert.ok(
      names.has('openat2') || names.has('openat') || touches.some((t) => t.args.includes('/proc/self/fd/')),
      `a valid handle is resolved relative to descriptors on the export; saw:\n${describeTouches(touches)}`,
    );
    assert.ok(names.has('getdents64'), `READDIR reads the directory; saw ${[...names].join(', ')}`);
    assert.ok(
      names.has('statx') || names.has('newfstatat') || names.has('fstat'),
      `GETATTR stats the object; saw ${[...names].join(', ')}`,
    );
  });

  it('refuses random bytes, every single-bit flip, truncated, extended and foreign handles without touching the export', async () => {
    await gw.restart();
    const forged: { what: string; fh: Fh }[] = [];
    for (let i = 0; i < 64; i++) forged.push({ what: `random #${i}`, fh: rng.bytes(32) });
    for (let i = 0; i < 16; i++) forged.push({ what: `random ${i * 4} bytes`, fh: rng.bytes(i * 4) });
    for (const [label, fh] of Object.entries(valid)) {
      for (let bit = 0; bit < fh.length * 8; bit++) {
        const flipped = Buffer.from(fh);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        forged.push({ what: `${label} with bit ${bit} flipped`, fh: flipped });
      }
      for (const len of [0, 1, 4, 16, 24, 31])
        forged.push({ what: `${label} cut to ${len}`, fh: fh.subarray(0, len) });
      for (const extra of [1, 8, 32]) {
        forged.push({ what: `${label} + ${extra} bytes`, fh: Buffer.concat([fh, rng.bytes(extra)]) });
        forged.push({ what: `${label} + ${extra} zeros`, fh: Buffer.concat([fh, Buffer.alloc(extra)]) });
      }
    }
    for (const [label, fh] of Object.entries(foreign)) forged.push({ what: `foreign ${label}`, fh });
    assert.ok(forged.length >= 3 * 256 + 64);

    const wrong: string[] = [];
    const touches = await traced(gw.server, async () => {
      const c = gw.client;
      for (let i = 0; i < forged.length; i += 64) {
        const batch = forged.slice(i, i + 64);
        const got = await Promise.all(batch.map((f) => c.getattr(f.fh)));
        got.forEach((r, j) => {
          const s = statusName(r.status);
          if (s !== 'NFS3ERR_BADHANDLE' && s !== 'NFS3ERR_STALE')
            wrong.push(`${batch[j]!.what}: GETATTR ${s}`);
        });
      }
      // Every other procedure too, for a sample of each kind.
      for (const f of forged.filter((_, i) => i % 23 === 0)) {
        for (const status of await useEverywhere(c, f.fh)) {
          const s = statusName(status);
          if (s !== 'NFS3ERR_BADHANDLE' && s !== 'NFS3ERR_STALE') wrong.push(`${f.what}: ${s}`);
        }
      }
    });
    assert.deepEqual(wrong, [], 'every forged handle is refused with BADHANDLE or STALE');
    assert.deepEqual(
      touches,
      [],
      `no filesystem call for a forged handle; saw:\n${describeTouches(touches)}`,
    );
    // The same server, same moment: the valid handles still work.
    ok(await gw.client.getattr(valid.file), 'GETATTR of the valid file after the forgeries');
  });

  it('refuses a valid handle of an export this client may not use with ACCES, without touching the export', async () => {
    await gw.server.stop();
    const fenced = await ServerProcess.start({
      exportDir: gw.server.exportDir,
      stateDir: gw.server.stateDir,
      options: OPEN_OPTIONS,
      extraArgs: ['--clients', '10.9.9.9'],
    });
    let c: Nfs3Client | undefined;
    try {
      c = await connectTo(fenced);
      const client = c;
      const mnt = await client.mountCall(fenced.name);
      assert.notEqual(mnt.fhs_status, 0, 'MNT is refused to a client not in the list');
      const statuses: string[] = [];
      const touches = await traced(fenced, async () => {
        for (const fh of [valid.root, valid.dir, valid.file]) {
          for (const s of await useEverywhere(client, fh)) statuses.push(statusName(s));
        }
      });
      assert.deepEqual(
        [...new Set(statuses)],
        ['NFS3ERR_ACCES'],
        'the handle is genuine, the client is not allowed: ACCES (not STALE)',
      );
      assert.deepEqual(
        touches,
        [],
        `no filesystem call for a fenced export; saw:\n${describeTouches(touches)}`,
      );
    } finally {
      await c?.close();
      await fenced.cleanup();
      await gw.restart();
    }
  });
});
