import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { attrsOf, handleOf, ok } from '../helpers/nfs3-client.js';

const GiB = 1n << 30n;

describe('files larger than 4 GiB (sparse)', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
  });
  after(() => m?.close());

  it('WRITE and READ at offsets above 4 GiB keep the data and the 64-bit size', async () => {
    const f = handleOf(ok(await m.client.create(m.root, 'huge')).resok.obj);
    const offset = 5n * GiB + 12345n;
    const data = randomBytes(64 * 1024);
    const w = ok(await m.client.write(f, offset, data, 2)).resok;
    assert.equal(w.count, data.length);
    const size = offset + BigInt(data.length);
    assert.equal(attrsOf(w.file_wcc.after).size, size);

    const a = ok(await m.client.getattr(f)).resok.obj_attributes;
    assert.equal(a.size, size);
    assert.ok(a.used < 1n << 24n, `a sparse file uses little space, got ${a.used} bytes`);

    const r = ok(await m.client.read(f, offset, data.length)).resok;
    assert.equal(r.eof, true);
    assert.deepEqual(Buffer.from(r.data), data);

    const hole = ok(await m.client.read(f, 4n * GiB, 4096)).resok;
    assert.equal(hole.count, 4096);
    assert.deepEqual(Buffer.from(hole.data), Buffer.alloc(4096));

    const host = join(m.server.exportDir, 'huge');
    assert.equal(BigInt(statSync(host).size), size);
    const fd = openSync(host, 'r');
    const back = Buffer.alloc(data.length);
    try {
      readSync(fd, back, 0, back.length, Number(offset));
    } finally {
      closeSync(fd);
    }
    assert.deepEqual(back, data);
  });

  it('a write straddling the 4 GiB boundary lands on both sides of it', async () => {
    const f = handleOf(ok(await m.client.create(m.root, 'straddle')).resok.obj);
    const data = randomBytes(8192);
    const offset = 4n * GiB - 4096n;
    ok(await m.client.write(f, offset, data, 1));
    assert.deepEqual(Buffer.from(ok(await m.client.read(f, offset, 8192)).resok.data), data);
    assert.deepEqual(Buffer.from(ok(await m.client.read(f, 4n * GiB, 4096)).resok.data), data.subarray(4096));
  });
});
