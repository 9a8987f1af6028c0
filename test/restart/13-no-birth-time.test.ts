import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, type Nfs3Client, ok, statusName } from '../helpers/nfs3-client.js';
import { nfsgate } from './helpers/cli.js';
import { Gateway } from './helpers/gateway.js';

const OLD = Buffer.from('the old file, deleted while the server was down\n');
const NEW = Buffer.from('a new file under the same name and inode number\n');

function isMountPoint(dir: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === dir);
}

/**
 * A small ext4 with 128-byte inodes: no room for a birth time (statx reports none) and only 64 inodes,
 * so a freed inode number is handed out again by the very next create.
 */
function mountSmallExt4(image: string, mountPoint: string): void {
  execFileSync('truncate', ['-s', '8M', image]);
  execFileSync('mkfs.ext4', ['-q', '-I', '128', '-N', '64', '-F', image], { stdio: 'pipe' });
  execFileSync('mount', ['-o', 'loop', image, mountPoint], { stdio: 'pipe' });
  assert.ok(isMountPoint(mountPoint), 'the image is mounted');
}

function unmount(mountPoint: string): void {
  if (!isMountPoint(mountPoint)) return;
  try {
    execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
  }
}

/** The old handle is STALE for every use and never shows the new file. */
async function expectStaleNeverNew(c: Nfs3Client, oldFh: Fh, what: string): Promise<void> {
  const g = await c.getattr(oldFh);
  assert.equal(statusName(g.status), 'NFS3ERR_STALE', `${what}: GETATTR of the old handle`);
  const r = await c.read(oldFh, 0, 4096);
  if (r.status === 0) assert.notDeepEqual(Buffer.from(r.resok.data), NEW, `${what}: READ shows the new file`);
  assert.equal(statusName(r.status), 'NFS3ERR_STALE', `${what}: READ of the old handle`);
  const w = await c.write(oldFh, 0, Buffer.from('must not land in the new file'), 2);
  assert.equal(statusName(w.status), 'NFS3ERR_STALE', `${what}: WRITE through the old handle`);
}

describe('an export on a filesystem without birth times (ext4 with 128-byte inodes)', () => {
  const work = mkdtempSync(join(tmpdir(), 'nfsgate-nobtime-'));
  const image = join(work, 'small.img');
  const mountPoint = join(work, 'mnt');
  let gw: Gateway;

  before(async () => {
    mkdirSync(mountPoint);
    mountSmallExt4(image, mountPoint);
    writeFileSync(join(mountPoint, 'probe'), 'x');
    assert.equal(statSync(join(mountPoint, 'probe'), { bigint: true }).birthtimeNs, 0n, 'no birth time');
    rmSync(join(mountPoint, 'probe'));
    gw = await Gateway.start({ exportDir: mountPoint });
  });

  after(async () => {
    await gw?.close();
    unmount(mountPoint);
    rmSync(work, { recursive: true, force: true });
  });

  it('says which identity the export uses, in the ready line and in `nfsgate exports list`', async () => {
    const ready = gw.server.logLines().find((l) => l.msg === 'nfsgate ready') as
      | { exports?: { path: string; identity?: string }[] }
      | undefined;
    assert.equal(ready?.exports?.[0]?.identity, 'file-handle');
    const listed = await nfsgate(gw.server.stateDir, 'exports', 'list');
    assert.match(listed, /^1\s+live\s+\d+\s+\S+\s+file-handle\s+/m);
  });

  for (const how of ['sigterm', 'kill9'] as const) {
    it(`answers STALE when the file was replaced under the same name by one reusing its inode while the server was down (${how})`, async () => {
      const name = `replaced-${how}`;
      const oldFh = await gw.client.writeFile(gw.root, name, OLD);
      const oldIno = ok(await gw.client.getattr(oldFh)).resok.obj_attributes.fileid;
      if (how === 'kill9') await gw.server.kill9();
      else await gw.server.stop();
      rmSync(join(mountPoint, name));
      writeFileSync(join(mountPoint, name), NEW);
      assert.equal(
        statSync(join(mountPoint, name), { bigint: true }).ino,
        oldIno,
        'the inode number came back',
      );
      await gw.restart(how);
      await expectStaleNeverNew(gw.client, oldFh, `replaced while down (${how})`);
      const fresh = await gw.client.lookupPath(gw.root, name);
      assert.notDeepEqual(fresh, oldFh, 'the new file gets a handle of its own');
      assert.deepEqual(await gw.client.readAll(fresh), NEW);
      await expectStaleNeverNew(gw.client, oldFh, `after the new file was looked up (${how})`);
    });
  }

  it('answers STALE when another name gets the inode back, and finds a file that moved', async () => {
    const d = handleOf(ok(await gw.client.mkdir(gw.root, 'moves'), 'MKDIR').resok.obj);
    const oldFh = await gw.client.writeFile(d, 'deleted', OLD);
    const oldIno = ok(await gw.client.getattr(oldFh)).resok.obj_attributes.fileid;
    const movedFh = await gw.client.writeFile(d, 'moved', NEW);
    await gw.server.stop();
    rmSync(join(mountPoint, 'moves', 'deleted'));
    writeFileSync(join(mountPoint, 'moves', 'newcomer'), NEW);
    assert.equal(statSync(join(mountPoint, 'moves', 'newcomer'), { bigint: true }).ino, oldIno);
    renameSync(join(mountPoint, 'moves', 'moved'), join(mountPoint, 'moved-out-here'));
    await gw.restart();
    await expectStaleNeverNew(gw.client, oldFh, 'inode reused by another name');
    assert.deepEqual(await gw.client.readAll(movedFh), NEW, 'the moved file is found by its handle');
  });
});

describe('an export on a filesystem with neither birth times nor generation handles (bindfs)', () => {
  const work = mkdtempSync(join(tmpdir(), 'nfsgate-noident-'));
  const source = join(work, 'source');
  const mountPoint = join(work, 'mnt');
  let gw: Gateway;

  before(async () => {
    mkdirSync(source);
    mkdirSync(mountPoint);
    execFileSync('bindfs', [source, mountPoint], { stdio: 'pipe' });
    for (let i = 0; i < 100 && !isMountPoint(mountPoint); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(isMountPoint(mountPoint), 'bindfs mounted');
    gw = await Gateway.start({ exportDir: mountPoint });
  });

  after(async () => {
    await gw?.close();
    if (isMountPoint(mountPoint)) execFileSync('fusermount3', ['-u', mountPoint], { stdio: 'pipe' });
    rmSync(work, { recursive: true, force: true });
  });

  it('warns at start and finds objects only under their unchanged names, never by searching', async () => {
    const ready = gw.server.logLines().find((l) => l.msg === 'nfsgate ready') as
      | { exports?: { identity?: string }[] }
      | undefined;
    assert.equal(ready?.exports?.[0]?.identity, 'inode-number');
    assert.ok(
      gw.server
        .logLines()
        .some((l) => l.level === 40 && /neither birth times nor file handles/.test(String(l.msg))),
      'a warning at start',
    );
    const stays = await gw.client.writeFile(gw.root, 'stays', OLD);
    const moves = await gw.client.writeFile(gw.root, 'moves', NEW);
    await gw.server.stop();
    renameSync(join(mountPoint, 'moves'), join(mountPoint, 'moved'));
    await gw.restart();
    assert.deepEqual(await gw.client.readAll(stays), OLD, 'found under its unchanged name');
    assert.equal(statusName((await gw.client.getattr(moves)).status), 'NFS3ERR_STALE', 'not searched for');
    assert.ok(
      !gw.server.logLines().some((l) => typeof l.how === 'string'),
      'no search by inode number, no kernel handle',
    );
  });
});
