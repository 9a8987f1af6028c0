import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { expectStatus, type Nfs3Client, ok } from '../helpers/nfs3-client.js';

const isRoot = process.getuid?.() === 0;

/** A bind mount of a directory next to the export (same device) and a tmpfs, both inside the export. */
function mountInside(m: Mounted): string[] {
  const shared = join(m.server.outsideDir, 'shared');
  mkdirSync(shared);
  writeFileSync(join(shared, 'sentinel'), 'outside the export');
  const bound = join(m.server.exportDir, 'bound');
  const tmp = join(m.server.exportDir, 'tmp');
  mkdirSync(bound);
  mkdirSync(tmp);
  execFileSync('mount', ['--bind', shared, bound]);
  const mounted = [bound];
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', tmp]);
    mounted.push(tmp);
    writeFileSync(join(tmp, 'file'), 'on tmpfs');
  } catch (e) {
    unmountAll(mounted);
    throw e;
  }
  return mounted;
}

function unmountAll(mounted: string[]): void {
  for (const p of mounted.splice(0).reverse()) execFileSync('umount', ['-l', p]);
}

describe('mounts inside the export', { skip: !isRoot && 'needs root to mount' }, () => {
  describe('without crossmnt', () => {
    let m: Mounted;
    let mounted: string[] = [];
    before(async () => {
      m = await serveAndMount({ options: 'rw,no_root_squash' });
      mounted = mountInside(m);
    });
    after(async () => {
      unmountAll(mounted);
      await m?.close();
    });

    it('a bind mount of the export’s own device is not entered', async () => {
      expectStatus(await m.client.lookup(m.root, 'bound'), 'NFS3ERR_ACCES');
      const listed = await m.client.listAll(m.root, { plus: true });
      const entry = listed.entries.find((e) => e.name === 'bound');
      assert.equal(entry?.handle, undefined, 'READDIRPLUS gives no handle for the mount point');
    });

    it('another filesystem mounted inside is not entered', async () => {
      expectStatus(await m.client.lookup(m.root, 'tmp'), 'NFS3ERR_ACCES');
    });
  });

  describe('with crossmnt for one client only', () => {
    let m: Mounted;
    let other: Nfs3Client;
    let mounted: string[] = [];
    before(async () => {
      m = await serveAndMount({
        clientList: '127.0.0.1(rw,no_root_squash,crossmnt) 127.0.0.2(rw,no_root_squash)',
      });
      mounted = mountInside(m);
      other = await m.connect({ localAddress: '127.0.0.2' });
    });
    after(async () => {
      unmountAll(mounted);
      await m?.close();
    });

    it('the client with crossmnt enters the mounts; the other one does not, nor by handle', async () => {
      const tmp = ok(await m.client.lookup(m.root, 'tmp')).resok.object.data;
      const file = ok(await m.client.lookup(tmp, 'file')).resok.object.data;
      assert.equal(ok(await m.client.read(file, 0, 100)).resok.data.toString(), 'on tmpfs');
      ok(await m.client.lookup(m.root, 'bound'));

      const root = await other.mount(m.server.name);
      expectStatus(await other.lookup(root, 'tmp'), 'NFS3ERR_ACCES');
      expectStatus(await other.lookup(root, 'bound'), 'NFS3ERR_ACCES');
      expectStatus(await other.getattr(tmp), 'NFS3ERR_ACCES');
      expectStatus(await other.read(file, 0, 100), 'NFS3ERR_ACCES');
      expectStatus(await other.create(tmp, 'intruder'), 'NFS3ERR_ACCES');
    });

    it('FSSTAT and PATHCONF of an object on a crossed filesystem describe that filesystem', async () => {
      const tmp = ok(await m.client.lookup(m.root, 'tmp')).resok.object.data;
      const onTmpfs = ok(await m.client.fsstat(tmp)).resok;
      assert.equal(onTmpfs.tbytes, 1024n * 1024n, 'the 1 MiB tmpfs');
      const onExport = ok(await m.client.fsstat(m.root)).resok;
      assert.notEqual(onExport.tbytes, onTmpfs.tbytes);
      // tmpfs has no hard link limit of ext4's size.
      assert.notEqual(
        ok(await m.client.pathconf(tmp)).resok.linkmax,
        ok(await m.client.pathconf(m.root)).resok.linkmax,
      );
    });

    it('objects on a crossed filesystem report its own fsid, the same after a restart', async () => {
      const fsidOf = async (fh: Buffer) => ok(await m.client.getattr(fh)).resok.obj_attributes.fsid;
      const tmp = ok(await m.client.lookup(m.root, 'tmp')).resok.object.data;
      const file = ok(await m.client.lookup(tmp, 'file')).resok.object.data;
      const exportFsid = await fsidOf(m.root);
      const tmpFsid = await fsidOf(tmp);
      assert.notEqual(tmpFsid, exportFsid);
      assert.equal(await fsidOf(file), tmpFsid);
      const bound = ok(await m.client.lookup(m.root, 'bound')).resok.object.data;
      assert.equal(await fsidOf(bound), exportFsid, 'a bind mount of the same filesystem is the same one');

      await m.server.restart();
      const client = await m.connect();
      assert.equal(ok(await client.getattr(file)).resok.obj_attributes.fsid, tmpFsid);
      assert.equal(ok(await client.getattr(m.root)).resok.obj_attributes.fsid, exportFsid);
    });
  });
});
