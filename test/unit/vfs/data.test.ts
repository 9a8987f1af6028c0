import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DataIo, StableHow } from '../../../src/vfs/data.js';
import { NodeCache } from '../../../src/vfs/node-cache.js';
import type { VNode } from '../../../src/vfs/types.js';
import { b, errnoOf, isOpen, ROOT, type Sandbox, sandbox, value } from './helpers.js';

describe('data I/O', () => {
  let box: Sandbox;
  let data: DataIo;
  const fileNode = async (name: string, content = ''): Promise<VNode> => {
    fs.writeFileSync(path.join(box.exportDir, name), content);
    return (await value(await box.fs.lookup(box.root, b(name), ROOT))).node;
  };

  beforeEach(async () => {
    box = await sandbox();
    data = new DataIo({ readOnly: false, privileged: true });
  });
  afterEach(async () => {
    data.close();
    box.cleanup();
  });

  it('reads what was written and reports eof only at the end', async () => {
    const f = await fileNode('f');
    const written = await value(await data.write(f, 0n, b('hello world'), StableHow.UNSTABLE));
    assert.deepEqual([written.count, written.committed], [11, StableHow.UNSTABLE]);
    assert.deepEqual([written.before.size, written.after.size], [0n, 11n]);
    const head = await value(await data.read(f, 0n, 5));
    assert.deepEqual([head.data.toString(), head.eof], ['hello', false]);
    const tail = await value(await data.read(f, 6n, 100));
    assert.deepEqual([tail.data.toString(), tail.eof], ['world', true]);
    const exact = await value(await data.read(f, 6n, 5));
    assert.equal(exact.eof, true);
    const beyond = await value(await data.read(f, 50n, 10));
    assert.deepEqual([beyond.data.length, beyond.eof], [0, true]);
  });

  it('handles offsets beyond 4 GiB in a sparse file', async () => {
    const f = await fileNode('sparse');
    const offset = 5n * 1024n * 1024n * 1024n + 7n;
    await value(await data.write(f, offset, b('far'), StableHow.FILE_SYNC));
    const st = fs.statSync(path.join(box.exportDir, 'sparse'), { bigint: true });
    assert.equal(st.size, offset + 3n);
    const r = await value(await data.read(f, offset - 2n, 10));
    assert.deepEqual(r.data, Buffer.from([0, 0, ...b('far')]));
    assert.equal(r.eof, true);
  });

  it('reports the stability level it achieved', async () => {
    const f = await fileNode('f');
    assert.equal(
      (await value(await data.write(f, 0n, b('a'), StableHow.DATA_SYNC))).committed,
      StableHow.DATA_SYNC,
    );
    assert.equal(
      (await value(await data.write(f, 0n, b('a'), StableHow.FILE_SYNC))).committed,
      StableHow.FILE_SYNC,
    );
    assert.equal((await value(await data.commit(f))).after.size, 1n);
  });

  it('refuses directories and offsets that cannot be represented exactly', async () => {
    assert.equal(await errnoOf(await data.read(box.root, 0n, 1)), 'EISDIR');
    assert.equal(await errnoOf(await data.write(await fileNode('f'), 1n << 60n, b('x'), 0)), 'EFBIG');
  });

  it('keeps serving requests with a descriptor limit of one', async () => {
    const tiny = new DataIo({ readOnly: false, privileged: true, maxOpen: 1 });
    const nodes = await Promise.all(Array.from({ length: 20 }, (_, i) => fileNode(`f${i}`, `content ${i}`)));
    const reads = await Promise.all(nodes.map((n) => tiny.read(n, 0n, 100)));
    assert.deepEqual(
      (await Promise.all(reads.map((r) => value(r)))).map((r) => r.data.toString()),
      nodes.map((_, i) => `content ${i}`),
    );
    assert.equal(tiny.openCount, 1);
    await Promise.all(nodes.map((n, i) => tiny.write(n, 0n, b(`new ${i}`), StableHow.UNSTABLE)));
    assert.equal(fs.readFileSync(path.join(box.exportDir, 'f7'), 'utf8'), 'new 7nt 7');
    tiny.closeIdle(Date.now() + 60_000);
    assert.equal(tiny.openCount, 0);
    assert.equal((await value(await tiny.read(nodes[3]!, 0n, 5))).data.toString(), 'new 3');
    tiny.close();
  });

  it('reads the object it verified even when its name now points elsewhere', async () => {
    const f = await fileNode('f', 'original');
    fs.renameSync(path.join(box.exportDir, 'f'), path.join(box.exportDir, 'g'));
    fs.symlinkSync(path.join(box.outside), path.join(box.exportDir, 'f'));
    assert.equal((await value(await data.read(f, 0n, 100))).data.toString(), 'original');
  });
});

describe('NodeCache', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(async () => box.cleanup());

  it('closes the least recently used descriptors beyond its limit', async () => {
    const cache = new NodeCache({ maxEntries: 2 });
    const nodes = await Promise.all([1, 2, 3].map(() => value(box.fs.openRoot())));
    cache.put(1n, nodes[0]!);
    cache.put(2n, nodes[1]!);
    assert.equal(cache.get(1n), nodes[0]);
    cache.put(3n, nodes[2]!);
    assert.equal(cache.get(2n), undefined);
    assert.equal(isOpen(nodes[1]!.fd), false);
    assert.deepEqual([cache.get(1n), cache.get(3n)], [nodes[0], nodes[2]]);
    cache.close();
    assert.equal(isOpen(nodes[0]!.fd), false);
  });

  it('closes idle descriptors and deleted entries', async () => {
    const cache = new NodeCache({ idleMs: 1000 });
    const [a, c] = [await value(await box.fs.openRoot()), await value(await box.fs.openRoot())];
    cache.put(1n, a);
    cache.put(2n, c);
    cache.delete(2n);
    assert.equal(isOpen(c.fd), false);
    cache.closeIdle(Date.now() + 5000);
    assert.equal(cache.size, 0);
    assert.equal(isOpen(a.fd), false);
    cache.close();
  });

  it('leaves a stale node that vfs operations recognise', async () => {
    const cache = new NodeCache({ maxEntries: 1 });
    const root = await value(await box.fs.openRoot());
    cache.put(1n, root);
    cache.put(2n, await value(await box.fs.openRoot()));
    assert.equal(await errnoOf(await box.fs.getattr(root)), 'EBADF');
    cache.close();
  });
});
