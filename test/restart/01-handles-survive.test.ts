import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attrsOf, type Fh, handleOf, ok } from '../helpers/nfs3-client.js';
import { Gateway, type Shutdown } from './helpers/gateway.js';
import { nfsCat, nfsLs } from './helpers/libnfs.js';

const DEPTH = 20;
const CONTENT = Buffer.from('the same bytes before and after a restart\n');

interface Known {
  readonly label: string;
  readonly fh: Fh;
  readonly fileid: bigint;
  readonly size: bigint;
  readonly type: number;
}

describe('handles taken before a restart work after it', () => {
  let gw: Gateway;
  const known: Known[] = [];
  const dirs: { label: string; fh: Fh; names: string[] }[] = [];
  let file: Fh;
  let hardLink: Fh;
  let symlink: Fh;
  let deepest: Fh;
  let deepFile: Fh;

  const remember = async (label: string, fh: Fh) => {
    const a = ok(await gw.client.getattr(fh), `GETATTR ${label}`).resok.obj_attributes;
    known.push({ label, fh, fileid: a.fileid, size: a.size, type: a.type });
  };

  before(async () => {
    gw = await Gateway.start();
    const c = gw.client;
    file = await c.writeFile(gw.root, 'file.txt', CONTENT);
    ok(await c.link(file, gw.root, 'hard.txt'), 'LINK');
    hardLink = await c.lookupPath(gw.root, 'hard.txt');
    symlink = handleOf(ok(await c.symlink(gw.root, 'sym', 'file.txt'), 'SYMLINK').resok.obj);
    let dir = gw.root;
    const chain: Fh[] = [];
    for (let i = 0; i < DEPTH; i++) {
      dir = handleOf(ok(await c.mkdir(dir, `level${i}`), `MKDIR level${i}`).resok.obj);
      chain.push(dir);
    }
    deepest = dir;
    deepFile = await c.writeFile(deepest, 'deep.txt', CONTENT);
    await remember('root', gw.root);
    for (const [i, fh] of chain.entries()) await remember(`level${i}`, fh);
    await remember('file.txt', file);
    await remember('hard.txt', hardLink);
    await remember('sym', symlink);
    await remember('deep.txt', deepFile);
    for (const [label, fh] of [
      ['root', gw.root],
      ['level0', chain[0]!],
      ['level10', chain[10]!],
      ['deepest', deepest],
    ] as const) {
      dirs.push({ label, fh, names: (await c.listAll(fh)).entries.map((e) => e.name).sort() });
    }
  });

  after(async () => {
    await gw?.close();
  });

  const checkAll = async (round: string) => {
    const c = gw.client;
    for (const k of known) {
      const a = ok(await c.getattr(k.fh), `GETATTR ${k.label} ${round}`).resok.obj_attributes;
      assert.equal(a.fileid, k.fileid, `${k.label}: fileid ${round}`);
      assert.equal(a.type, k.type, `${k.label}: type ${round}`);
      if (k.label !== 'file.txt' && k.label !== 'hard.txt' && k.label !== 'deep.txt') {
        assert.equal(a.size, k.size, `${k.label}: size ${round}`);
      }
    }
    assert.deepEqual(await c.readAll(deepFile), CONTENT, `deep file READ ${round}`);
    assert.equal(ok(await c.readlink(symlink), 'READLINK').resok.data.toString(), 'file.txt');
    for (const d of dirs) {
      const names = (await c.listAll(d.fh)).entries.map((e) => e.name).sort();
      assert.deepEqual(names, d.names, `READDIR of ${d.label} ${round}`);
    }
    const found = ok(await c.lookup(deepest, 'deep.txt'), `LOOKUP in the deepest directory ${round}`);
    assert.equal(
      attrsOf(found.resok.obj_attributes).fileid,
      known.find((k) => k.label === 'deep.txt')!.fileid,
    );
  };

  const survives = async (how: Shutdown, round: string) => {
    const before = await gw.client.readAll(file);
    await gw.restart(how);
    await checkAll(round);
    // The file and its hard link are one object: a WRITE through either handle shows through the other.
    assert.deepEqual(await gw.client.readAll(hardLink), before, `hard link READ ${round}`);
    const extra = Buffer.from(`written through the old handle ${round}\n`);
    const offset = BigInt(before.length);
    const w = ok(await gw.client.write(hardLink, offset, extra, 2), `WRITE ${round}`).resok;
    assert.equal(w.count, extra.length);
    const expected = Buffer.concat([before, extra]);
    assert.deepEqual(await gw.client.readAll(file), expected, `READ after WRITE ${round}`);
    const fa = ok(await gw.client.getattr(file)).resok.obj_attributes;
    assert.equal(fa.size, BigInt(expected.length));
    assert.equal(fa.nlink, 2, 'the hard link is still counted');
    // Real clients see the same tree.
    assert.deepEqual(await nfsCat(gw.server, 'file.txt'), expected, `nfs-cat ${round}`);
    assert.deepEqual(await nfsLs(gw.server), dirs.find((d) => d.label === 'root')!.names, `nfs-ls ${round}`);
  };

  it('keeps GETATTR, READ, READDIR, READLINK, WRITE and LOOKUP working after a clean stop and start', async () => {
    await survives('sigterm', 'after SIGTERM');
  });

  it('keeps them working after kill -9', async () => {
    await survives('kill9', 'after kill -9');
  });

  it('keeps them working after a kill -9 that came before any other request of the new process', async () => {
    await gw.restart('kill9');
    await gw.restart('kill9');
    await checkAll('after two crashes in a row');
  });
});
