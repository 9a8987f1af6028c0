import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfinedFs } from '../../../src/vfs/confined-fs.js';
import { assignCookies, type DirEntry, nameHash, startIndex } from '../../../src/vfs/readdir.js';
import type { VNode } from '../../../src/vfs/types.js';
import { b, ROOT, type Sandbox, sandbox, value } from './helpers.js';

async function page(fsys: ConfinedFs, dir: VNode, cookie: bigint, count: number): Promise<DirEntry[]> {
  const listing = await value(fsys.readdir(dir, ROOT));
  const start = startIndex(listing.entries, cookie);
  return listing.entries.slice(start, start + count);
}

/** Reads the whole directory in pages, as a client would, calling `between` after each page. */
async function pageThrough(
  fsys: ConfinedFs,
  dir: VNode,
  size: number,
  between = (_: number) => {},
): Promise<DirEntry[]> {
  const seen: DirEntry[] = [];
  let cookie = 0n;
  for (let n = 0; ; n++) {
    const entries = await page(fsys, dir, cookie, size);
    if (entries.length === 0) return seen;
    seen.push(...entries);
    cookie = entries[entries.length - 1]!.cookie;
    between(n);
  }
}

describe('READDIR cookies', () => {
  let box: Sandbox;
  const names = Array.from({ length: 10_000 }, (_, i) => `file-${i}`);

  before(async () => {
    box = await sandbox();
    for (const name of names) fs.closeSync(fs.openSync(path.join(box.exportDir, name), 'w'));
    // Let the directory's timestamps age past the coarse clock tick so its listing may be cached.
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(box.exportDir, old, old);
  });
  after(async () => box.cleanup());

  it('pages through 10,000 entries in chunks of 100 without skipping or repeating', async () => {
    const seen = (await pageThrough(box.fs, box.root, 100)).map((e) => e.name.toString());
    assert.equal(seen[0], '.');
    assert.equal(seen[1], '..');
    assert.equal(seen.length, names.length + 2);
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(seen.slice(2).sort(), [...names].sort());
  });

  it('gives the same cookies and verifier after a restart', async () => {
    const first = await value(await box.fs.readdir(box.root, ROOT));
    const restarted = new ConfinedFs({
      root: box.exportDir,
      readOnly: false,
      crossMounts: false,
      privileged: true,
    });
    const root = await value(restarted.openRoot());
    const second = await value(restarted.readdir(root, ROOT));
    assert.deepEqual(
      second.entries.map((e) => [e.name.toString(), e.cookie]),
      first.entries.map((e) => [e.name.toString(), e.cookie]),
    );
    assert.deepEqual(second.verifier, first.verifier);
    // A cookie from before the restart resumes at the same place.
    const cookie = first.entries[5000]!.cookie;
    assert.deepEqual((await page(restarted, root, cookie, 1))[0]!.name, first.entries[5001]!.name);
    restarted.closeVNode(root);
    restarted.close();
  });

  it('does not skip existing entries when entries are added and removed while listing', async () => {
    const added: string[] = [];
    const seen = (
      await pageThrough(box.fs, box.root, 100, (n) => {
        const name = `added-${n}`;
        fs.writeFileSync(path.join(box.exportDir, name), '');
        added.push(name);
        if (n === 10) fs.unlinkSync(path.join(box.exportDir, 'added-3'));
      })
    ).map((e) => e.name.toString());
    assert.equal(new Set(seen).size, seen.length, 'an entry was repeated');
    for (const name of names) assert.ok(seen.includes(name), `${name} was skipped`);
  });

  it('resumes after a removed entry at the next name', async () => {
    const entries = assignCookies([b('a'), b('b'), b('c')]);
    const [, , first, second, third] = entries;
    const without = assignCookies([first!.name, third!.name]);
    assert.deepEqual(without[startIndex(without, second!.cookie)]!.name, third!.name);
  });

  it('reserves cookies 0, 1 and 2 and keeps cookies unique even when hashes collide', async () => {
    for (const name of names.slice(0, 1000)) assert.ok(nameHash(b(name)) >= 3n);
    const entries = assignCookies(names.slice(0, 1000).map(b));
    for (let i = 1; i < entries.length; i++) assert.ok(entries[i]!.cookie > entries[i - 1]!.cookie);
    assert.deepEqual(
      entries.slice(0, 2).map((e) => e.cookie),
      [1n, 2n],
    );
  });

  it('reports fileids of entries and caches them in the listing', async () => {
    const listing = await value(await box.fs.readdir(box.root, ROOT));
    const entry = listing.entries[2]!;
    const fileid = await value(await box.fs.entryFileid(box.root, entry));
    assert.equal(fileid, fs.lstatSync(path.join(box.exportDir, entry.name.toString()), { bigint: true }).ino);
    assert.equal(entry.fileid, fileid);
    assert.equal(
      await value(await box.fs.entryFileid(box.root, listing.entries[1]!)),
      (await value(await box.fs.getattr(box.root))).fileid,
    );
  });
});
