import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RpcClient } from '../../src/rpc/client.js';
import type { Auth, TransportKind } from '../../src/rpc/types.js';
import { type entryplus3, NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES } from '../../src/xdr/generated/nfs3.js';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { ok } from '../helpers/nfs3-client.js';

const ROOT: Auth = { flavor: 1, stamp: 0, machinename: Buffer.from('lister'), uid: 0, gid: 0, gids: [] };
const P = NFS_V3_PROCEDURES;
const SIZES = [4 * 1024, 64 * 1024, 1024 * 1024] as const;
const TRANSPORTS: readonly TransportKind[] = ['tcp', 'udp'];

interface Listed {
  readonly names: string[];
  readonly cookies: bigint[];
  /** READDIRPLUS entries that came without a handle. */
  readonly withoutHandle: number;
  readonly pages: number;
}

/**
 * Lists `dir` from `cookie` to the end, page by page, as a client would: every page resumes after the
 * last cookie of the one before. `.` and `..` are left out.
 */
async function list(rpc: RpcClient, dir: Buffer, plus: boolean, size: number, from = 0n): Promise<Listed> {
  const names: string[] = [];
  const cookies: bigint[] = [];
  let withoutHandle = 0;
  let pages = 0;
  let cookie = from;
  let cookieverf = Buffer.alloc(8);
  for (;;) {
    pages++;
    const what = `${plus ? 'READDIRPLUS' : 'READDIR'} ${size} at cookie ${cookie}`;
    const page = plus
      ? ok(
          await rpc.call(NFS_PROGRAM, NFS_V3, P.NFSPROC3_READDIRPLUS, {
            dir: { data: dir },
            cookie,
            cookieverf,
            dircount: size,
            maxcount: size,
          }),
          what,
        ).resok
      : ok(
          await rpc.call(NFS_PROGRAM, NFS_V3, P.NFSPROC3_READDIR, {
            dir: { data: dir },
            cookie,
            cookieverf,
            count: size,
          }),
          what,
        ).resok;
    cookieverf = Buffer.from(page.cookieverf);
    for (const e of page.reply.entries) {
      cookie = e.cookie;
      const name = e.name.toString('utf8');
      if (name === '.' || name === '..') continue;
      names.push(name);
      cookies.push(e.cookie);
      if ('name_handle' in e && !(e as entryplus3).name_handle.handle_follows) withoutHandle++;
    }
    if (page.reply.eof) return { names, cookies, withoutHandle, pages };
    assert.ok(page.reply.entries.length > 0, `${what}: an empty page that is not the end`);
  }
}

/** Every expected name exactly once, nothing else, in strictly increasing cookie order. */
function assertEveryNameOnce(got: Listed, expected: readonly string[], what: string): void {
  const counts = new Map<string, number>();
  for (const n of got.names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const repeated = [...counts].filter(([, n]) => n > 1).map(([name]) => name);
  assert.deepEqual(repeated.slice(0, 5), [], `${what}: ${repeated.length} names listed more than once`);
  const missing = expected.filter((n) => !counts.has(n));
  assert.deepEqual(missing.slice(0, 5), [], `${what}: ${missing.length} of ${expected.length} names missing`);
  assert.equal(got.names.length, expected.length, `${what}: names that were never made`);
  for (let i = 1; i < got.cookies.length; i++) {
    assert.ok(got.cookies[i]! > got.cookies[i - 1]!, `${what}: cookie of entry ${i} does not increase`);
  }
}

function makeOnHost(dir: string, count: number): { names: string[]; ms: number } {
  const start = performance.now();
  mkdirSync(dir);
  const names = Array.from({ length: count }, (_, i) => `f${String(i).padStart(6, '0')}`);
  for (const n of names) closeSync(openSync(join(dir, n), 'w'));
  return { names, ms: performance.now() - start };
}

for (const count of [10_000, 100_000]) {
  describe(`a directory of ${count.toLocaleString('en')} entries made on the host`, () => {
    let m: Mounted;
    let dir: Buffer;
    let names: string[];
    let rpc: RpcClient | undefined;

    /** A fresh client, after a restart if asked: the server then has no memory of recent names, so every
     * entry of a READDIRPLUS is looked up and its descriptor cached anew, the most pressure on its cache. */
    async function client(transport: TransportKind, restart: boolean): Promise<RpcClient> {
      await rpc?.close();
      rpc = undefined;
      if (restart) await m.server.restart();
      rpc = await RpcClient.connect({
        host: '127.0.0.1',
        port: m.server.nfsPort,
        transport,
        auth: ROOT,
        timeoutMs: 30_000,
      });
      return rpc;
    }

    before(async () => {
      m = await serveAndMount({ options: 'rw,no_root_squash,insecure' });
      const made = makeOnHost(join(m.server.exportDir, 'many'), count);
      names = made.names;
      console.log(`# made ${count} entries on the host in ${Math.round(made.ms)} ms`);
      dir = await m.client.lookupPath(m.root, 'many');
    });
    after(async () => {
      await rpc?.close();
      await m?.close();
    });

    for (const plus of [false, true]) {
      for (const transport of TRANSPORTS) {
        // Largest first: its pages hold more entries than the server caches descriptors (4096).
        for (const size of plus ? [...SIZES].reverse() : SIZES) {
          const proc = plus ? 'READDIRPLUS' : 'READDIR';
          it(`${proc} over ${transport.toUpperCase()} at ${size / 1024} KiB lists every name exactly once`, async () => {
            const c = await client(transport, plus && size === SIZES[2]);
            const start = performance.now();
            const got = await list(c, dir, plus, size);
            const ms = Math.round(performance.now() - start);
            console.log(`# ${count} entries, ${proc} ${transport} ${size}: ${got.pages} pages in ${ms} ms`);
            assertEveryNameOnce(got, names, `${proc} over ${transport} at ${size}`);
            if (plus) assert.equal(got.withoutHandle, 0, 'entries listed without a handle');
          });
        }
      }
    }

    it('a listing resumed from a cookie in the middle lists exactly the rest', async () => {
      const c = await client('tcp', false);
      const whole = await list(c, dir, false, 64 * 1024);
      const half = Math.floor(whole.names.length / 2);
      const rest = await list(await client('tcp', true), dir, true, 64 * 1024, whole.cookies[half - 1]!);
      assert.deepEqual(rest.names, whole.names.slice(half));
      assert.deepEqual(rest.cookies, whole.cookies.slice(half));
    });
  });
}

describe('a directory holding a mount point', () => {
  let m: Mounted;
  let mountPoint: string | undefined;
  let rpc: RpcClient;
  const names = Array.from({ length: 300 }, (_, i) => `n${i}`);

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    const dir = join(m.server.exportDir, 'with-mount');
    mkdirSync(dir);
    for (const n of names) writeFileSync(join(dir, n), '');
    mkdirSync(join(dir, 'mnt'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'nfsgate-test', join(dir, 'mnt')]);
    mountPoint = join(dir, 'mnt');
    writeFileSync(join(mountPoint, 'inside'), 'another filesystem');
    rpc = await RpcClient.connect({
      host: '127.0.0.1',
      port: m.server.nfsPort,
      auth: ROOT,
      bindPrivileged: true,
    });
  });
  after(async () => {
    await rpc?.close();
    if (mountPoint) execFileSync('umount', [mountPoint]);
    await m?.close();
  });

  it('lists the mount point (READDIRPLUS without a handle) and every other name, without crossing it', async () => {
    const dir = await m.client.lookupPath(m.root, 'with-mount');
    const expected = [...names, 'mnt'];
    for (const size of [1024, 64 * 1024]) {
      assertEveryNameOnce(await list(rpc, dir, false, size), expected, `READDIR ${size}`);
      const plus = await list(rpc, dir, true, size);
      assertEveryNameOnce(plus, expected, `READDIRPLUS ${size}`);
      assert.equal(plus.withoutHandle, 1, 'only the mount point comes without a handle');
    }
    assert.equal((await m.client.lookup(dir, 'mnt')).status, 13, 'NFS3ERR_ACCES: not crossed');
  });
});
