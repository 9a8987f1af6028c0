import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Fh, handleOf, ok, statusName } from '../helpers/nfs3-client.js';
import { Gateway, type Shutdown } from './helpers/gateway.js';
import { nfsCat, nfsLs } from './helpers/libnfs.js';

const CONTENT = Buffer.from('served from a FUSE mount\n');

function isMountPoint(dir: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === dir);
}

async function bindfsMount(source: string, mountPoint: string): Promise<void> {
  try {
    execFileSync('bindfs', ['--version'], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`bindfs is required for this test and did not run: ${(err as Error).message}`);
  }
  execFileSync('bindfs', [source, mountPoint], { stdio: 'pipe' });
  for (let i = 0; i < 100 && !isMountPoint(mountPoint); i++) await sleep(20);
  assert.ok(isMountPoint(mountPoint), `bindfs mounted ${source} on ${mountPoint}`);
}

function unmount(mountPoint: string): void {
  if (!isMountPoint(mountPoint)) return;
  try {
    execFileSync('fusermount3', ['-u', mountPoint], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
  }
}

describe('an export on a FUSE filesystem (bindfs)', () => {
  const work = mkdtempSync(join(tmpdir(), 'nfsgate-fuse-'));
  const source = join(work, 'source');
  const mountPoint = join(work, 'mnt');
  let gw: Gateway;
  let dev: bigint;
  const h: Record<'dir' | 'sub' | 'file' | 'deep', Fh> = {} as never;
  const fileids = new Map<string, bigint>();

  before(async () => {
    mkdirSync(source);
    mkdirSync(mountPoint);
    await bindfsMount(source, mountPoint);
    dev = statSync(mountPoint, { bigint: true }).dev;
    assert.notEqual(
      dev,
      statSync(work, { bigint: true }).dev,
      'the export is on another filesystem than its parent',
    );
    gw = await Gateway.start({ exportDir: mountPoint });
    const c = gw.client;
    h.dir = handleOf(ok(await c.mkdir(gw.root, 'dir'), 'MKDIR dir').resok.obj);
    h.sub = handleOf(ok(await c.mkdir(h.dir, 'sub'), 'MKDIR sub').resok.obj);
    h.file = await c.writeFile(gw.root, 'file.txt', CONTENT);
    h.deep = await c.writeFile(h.sub, 'deep.txt', CONTENT);
    for (const [k, fh] of Object.entries(h))
      fileids.set(k, ok(await c.getattr(fh)).resok.obj_attributes.fileid);
  });

  after(async () => {
    await gw?.close();
    unmount(mountPoint);
    rmSync(work, { recursive: true, force: true });
  });

  it('writes through to the directory under the mount', () => {
    assert.deepEqual(readFileSync(join(source, 'dir', 'sub', 'deep.txt')), CONTENT);
  });

  for (const how of ['sigterm', 'kill9', 'sigterm'] as Shutdown[]) {
    it(`keeps GETATTR, READ and LOOKUP working through old handles after a ${how} restart`, async () => {
      await gw.restart(how);
      assert.equal(
        statSync(mountPoint, { bigint: true }).dev,
        dev,
        'the FUSE mount keeps its st_dev while mounted',
      );
      const c = gw.client;
      for (const [k, fh] of Object.entries(h)) {
        const res = await c.getattr(fh);
        assert.equal(statusName(res.status), 'NFS3_OK', `GETATTR ${k} after ${how}`);
        if (res.status === 0)
          assert.equal(res.resok.obj_attributes.fileid, fileids.get(k), `${k}: same fileid`);
      }
      assert.deepEqual(await c.readAll(h.deep), CONTENT);
      assert.deepEqual(await c.readAll(h.file), CONTENT);
      const looked = ok(await c.lookup(h.sub, 'deep.txt'), 'LOOKUP in an old directory handle').resok;
      assert.equal(ok(await c.getattr(looked.object.data)).resok.obj_attributes.fileid, fileids.get('deep'));
      ok(await c.getattr(await c.mount(gw.server.name)), 'MNT again');
      assert.deepEqual(await nfsLs(gw.server), ['dir', 'file.txt']);
      assert.deepEqual(await nfsCat(gw.server, 'file.txt'), CONTENT);
    });
  }
});
