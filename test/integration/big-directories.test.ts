import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { type Fh, handleOf, type ListedEntry, ok, sattr } from '../helpers/nfs3-client.js';

const ENTRIES = 10_000;
const names = Array.from({ length: ENTRIES }, (_, i) => `entry-${String(i).padStart(5, '0')}`);

function assertCompleteAndOrdered(entries: readonly ListedEntry[], expected: readonly string[]): void {
  const seen = new Map<string, number>();
  for (const e of entries) seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
  const repeated = [...seen].filter(([, n]) => n > 1).map(([name]) => name);
  assert.deepEqual(repeated.slice(0, 5), [], 'names listed more than once');
  const missing = expected.filter((n) => !seen.has(n));
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} names never listed`);
  assert.equal(entries.length, expected.length);
  for (let i = 1; i < entries.length; i++) {
    assert.ok(entries[i]!.cookie > entries[i - 1]!.cookie, `cookie of entry ${i} does not increase`);
  }
}

describe('a directory of 10,000 entries', () => {
  let m: Mounted;
  let big: Fh;

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    const dir = join(m.server.exportDir, 'big');
    mkdirSync(dir);
    for (const n of names) closeSync(openSync(join(dir, n), 'w'));
    big = await m.client.lookupPath(m.root, 'big');
  });
  after(() => m?.close());

  it('is listed completely by READDIR in many small pages, each name once, cookies increasing', async () => {
    const l = await m.client.listAll(big, { count: 1024 });
    assert.ok(l.pages > 50, `expected many pages at count 1024, got ${l.pages}`);
    assertCompleteAndOrdered(l.entries, names);
  });

  it('is listed completely by READDIRPLUS at a small maxcount, with a handle for every entry', async () => {
    const l = await m.client.listAll(big, { plus: true, count: 1024, maxcount: 4096 });
    assert.ok(l.pages > 100, `expected many pages at maxcount 4096, got ${l.pages}`);
    assertCompleteAndOrdered(l.entries, names);
    assert.equal(l.entries.filter((e) => e.handle === undefined).length, 0);
    const sample = l.entries[ENTRIES - 1]!;
    assert.equal(ok(await m.client.getattr(sample.handle!)).resok.obj_attributes.fileid, sample.fileid);
  });

  it('keeps listing with an old cookie verifier after the directory changed (no BAD_COOKIE)', async () => {
    const first = ok(await m.client.readdir(big, 0n, Buffer.alloc(8), 2048)).resok;
    assert.equal(first.reply.eof, false);
    const oldVerf = Buffer.from(first.cookieverf);
    const listed = first.reply.entries.map((e) => e.name.toString());
    const last = first.reply.entries.at(-1)!.cookie;
    // The directory changes between two pages: one entry added, one the client has not seen yet removed.
    const dir = join(m.server.exportDir, 'big');
    writeFileSync(join(dir, 'added-later'), '');
    rmSync(join(dir, names[ENTRIES - 1]!));
    let cookie = last;
    for (;;) {
      const r = await m.client.readdir(big, cookie, oldVerf, 8192);
      const page = ok(r, `READDIR with the old verifier at cookie ${cookie}`).resok;
      for (const e of page.reply.entries) {
        listed.push(e.name.toString());
        cookie = e.cookie;
      }
      if (page.reply.eof) break;
    }
    const unchanged = names.slice(0, ENTRIES - 1);
    const counts = new Map<string, number>();
    for (const n of listed) counts.set(n, (counts.get(n) ?? 0) + 1);
    assert.deepEqual(
      unchanged.filter((n) => counts.get(n) !== 1).slice(0, 5),
      [],
      'unchanged names each listed once',
    );
  });
});

describe('a deep tree', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
  });
  after(() => m?.close());

  it('64 levels made with MKDIR are found again with LOOKUP from the root, and by the host', async () => {
    const levels = Array.from({ length: 64 }, (_, i) => `level-${i}`);
    let at = m.root;
    for (const l of levels) at = handleOf(ok(await m.client.mkdir(at, l, sattr({ mode: 0o755 }))).resok.obj);
    await m.client.writeFile(at, 'bottom', Buffer.from('deep'));
    const found = await m.client.lookupPath(m.root, `${levels.join('/')}/bottom`);
    assert.deepEqual(await m.client.readAll(found), Buffer.from('deep'));
    let up = at;
    for (let i = 0; i < 64; i++) up = ok(await m.client.lookup(up, '..')).resok.object.data;
    const rootId = ok(await m.client.getattr(m.root)).resok.obj_attributes.fileid;
    assert.equal(ok(await m.client.getattr(up)).resok.obj_attributes.fileid, rootId);
  });

  it('64 levels made on the host are reachable by LOOKUP', async () => {
    const rel = Array.from({ length: 64 }, (_, i) => `h${i}`).join('/');
    mkdirSync(join(m.server.exportDir, rel), { recursive: true });
    writeFileSync(join(m.server.exportDir, rel, 'leaf'), 'host leaf');
    assert.deepEqual(
      await m.client.readAll(await m.client.lookupPath(m.root, `${rel}/leaf`)),
      Buffer.from('host leaf'),
    );
  });
});
