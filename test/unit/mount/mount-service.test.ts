import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeProblems, type ExportConfig, parseExportsFile } from '../../../src/config/index.js';
import {
  MemoryMountList,
  MOUNT_V1,
  MountService,
  mountPrograms,
  type ResolveMountPath,
} from '../../../src/mount/index.js';
import type { Auth, CallContext } from '../../../src/rpc/types.js';
import { mountstat3 } from '../../../src/xdr/generated/mount.js';

function exportsOf(text: string): ExportConfig[] {
  const r = parseExportsFile(text);
  if (!r.ok) assert.fail(describeProblems(r.problems));
  return [...r.value.exports];
}

function ctx(address: string, port = 800, flavor: 0 | 1 = 1): CallContext {
  const auth: Auth =
    flavor === 0
      ? { flavor: 0 }
      : { flavor: 1, stamp: 0, machinename: Buffer.from('c'), uid: 0, gid: 0, gids: [] };
  return {
    xid: 1,
    prog: 100005,
    vers: 3,
    proc: 1,
    auth,
    peer: { transport: 'tcp', address, port },
    connectionId: 1,
  };
}

interface Harness {
  service: MountService;
  mounts: MemoryMountList;
  resolved: { exp: string; relative: string[] }[];
  logs: { level: string; msg: string; obj: Record<string, unknown> }[];
}

function harness(text: string, resolve?: ResolveMountPath): Harness {
  const mounts = new MemoryMountList();
  const resolved: Harness['resolved'] = [];
  const logs: Harness['logs'] = [];
  const log = (level: string) => (obj: Record<string, unknown>, msg: string) =>
    logs.push({ level, msg, obj });
  const exports = exportsOf(text);
  const service = new MountService({
    exports: () => exports,
    mounts,
    resolveMountPath:
      resolve ??
      (async (exp, relative) => {
        resolved.push({ exp: exp.name, relative: relative.map((b) => b.toString()) });
        return { fh: Buffer.from(`fh:${exp.name}:${relative.join('/')}`) };
      }),
    logger: { info: log('info'), warn: log('warn'), error: log('error') } as never,
  });
  return { service, mounts, resolved, logs };
}

describe('MOUNT MNT', () => {
  it('returns the root handle of an export named by its MOUNT name, with AUTH_SYS as the flavor', async () => {
    const h = harness('/srv/data *(rw,name=/export)\n');
    const res = await h.service.mnt(ctx('127.0.0.1'), Buffer.from('/export'));
    assert.equal(res.fhs_status, mountstat3.MNT3_OK);
    assert.ok(res.fhs_status === 0);
    assert.equal(res.mountinfo.fhandle.toString(), 'fh:/export:');
    assert.deepEqual(res.mountinfo.auth_flavors, [1]);
    assert.deepEqual(h.resolved, [{ exp: '/export', relative: [] }]);
  });

  it('also accepts the export’s local path, and mounts of subdirectories', async () => {
    const h = harness('/srv/data *(rw,name=/export)\n');
    assert.equal((await h.service.mnt(ctx('127.0.0.1'), Buffer.from('/srv/data'))).fhs_status, 0);
    assert.equal((await h.service.mnt(ctx('127.0.0.1'), Buffer.from('/export/a//b/./c/'))).fhs_status, 0);
    assert.deepEqual(h.resolved[1], { exp: '/export', relative: ['a', 'b', 'c'] });
  });

  it('picks the longest matching export when exports are nested', async () => {
    const h = harness('/srv *\n/srv/inner *\n');
    await h.service.mnt(ctx('127.0.0.1'), Buffer.from('/srv/inner/x'));
    assert.deepEqual(h.resolved, [{ exp: '/srv/inner', relative: ['x'] }]);
  });

  it('refuses paths that are not exported, or that climb with ..', async () => {
    const h = harness('/srv/data *\n');
    assert.equal(
      (await h.service.mnt(ctx('127.0.0.1'), Buffer.from('/srv'))).fhs_status,
      mountstat3.MNT3ERR_ACCES,
    );
    assert.equal(
      (await h.service.mnt(ctx('127.0.0.1'), Buffer.from('/srv/database'))).fhs_status,
      mountstat3.MNT3ERR_ACCES,
    );
    const climb = await h.service.mnt(ctx('127.0.0.1'), Buffer.from('/srv/data/../../etc'));
    assert.equal(climb.fhs_status, mountstat3.MNT3ERR_ACCES);
    assert.deepEqual(h.resolved, []);
    assert.equal(h.mounts.listMounts().length, 0);
  });

  it('refuses clients the export does not list, before resolving anything', async () => {
    const h = harness('/srv 10.0.0.0/8(rw)\n');
    assert.equal(
      (await h.service.mnt(ctx('192.168.0.1'), Buffer.from('/srv'))).fhs_status,
      mountstat3.MNT3ERR_ACCES,
    );
    assert.equal((await h.service.mnt(ctx('::ffff:10.0.0.1'), Buffer.from('/srv'))).fhs_status, 0);
    assert.equal(h.resolved.length, 1);
  });

  it('refuses a caller on an unprivileged port unless the export is insecure', async () => {
    const h = harness('/secure 127.0.0.1(rw)\n/open 127.0.0.1(rw,insecure)\n');
    assert.equal(
      (await h.service.mnt(ctx('127.0.0.1', 40000), Buffer.from('/secure'))).fhs_status,
      mountstat3.MNT3ERR_ACCES,
    );
    assert.equal((await h.service.mnt(ctx('127.0.0.1', 1023), Buffer.from('/secure'))).fhs_status, 0);
    assert.equal((await h.service.mnt(ctx('127.0.0.1', 40000), Buffer.from('/open'))).fhs_status, 0);
    assert.ok(h.logs.some((l) => l.level === 'warn' && l.obj.why === 'insecure port'));
  });

  it('serves AUTH_NONE callers too', async () => {
    const h = harness('/srv *\n');
    assert.equal((await h.service.mnt(ctx('127.0.0.1', 900, 0), Buffer.from('/srv'))).fhs_status, 0);
  });

  it('passes on the status the NFS side resolves a subdirectory to, and records no mount then', async () => {
    const h = harness('/srv *\n', async () => ({ status: mountstat3.MNT3ERR_NOTDIR }));
    assert.equal(
      (await h.service.mnt(ctx('127.0.0.1'), Buffer.from('/srv/file'))).fhs_status,
      mountstat3.MNT3ERR_NOTDIR,
    );
    assert.deepEqual(h.mounts.listMounts(), []);
  });

  it('records the mount under the client address, as asked for, and logs one line', async () => {
    const h = harness('/srv *\n');
    await h.service.mnt(ctx('::ffff:127.0.0.1'), Buffer.from('/srv/sub'));
    assert.deepEqual(h.mounts.listMounts(), [{ client: '127.0.0.1', dirpath: '/srv/sub' }]);
    assert.deepEqual(
      h.logs.filter((l) => l.level === 'info').map((l) => l.msg),
      ['mount'],
    );
  });
});

describe('MOUNT DUMP, UMNT, UMNTALL and EXPORT', () => {
  it('lists the recorded mounts and removes them on UMNT and UMNTALL', async () => {
    const h = harness('/a *\n/b *\n');
    await h.service.mnt(ctx('10.0.0.1'), Buffer.from('/a'));
    await h.service.mnt(ctx('10.0.0.1'), Buffer.from('/b'));
    await h.service.mnt(ctx('10.0.0.2'), Buffer.from('/a'));
    const dump = () => h.service.dump().map((m) => `${m.ml_hostname}:${m.ml_directory}`);
    assert.deepEqual(dump(), ['10.0.0.1:/a', '10.0.0.1:/b', '10.0.0.2:/a']);
    h.service.umnt(ctx('10.0.0.1'), Buffer.from('/b'));
    assert.deepEqual(dump(), ['10.0.0.1:/a', '10.0.0.2:/a']);
    h.service.umntall(ctx('10.0.0.2'));
    assert.deepEqual(dump(), ['10.0.0.1:/a']);
  });

  it('lists each export by MOUNT name with its client specifications as written', () => {
    const h = harness('/srv/data 10.0.0.0/8(rw) localhost(ro) *(ro,name=/export)\n/other\n');
    assert.deepEqual(
      h.service.export().map((e) => [e.ex_dir.toString(), e.ex_groups.map((g) => g.gr_name.toString())]),
      [
        ['/export', ['10.0.0.0/8', 'localhost', '*']],
        ['/other', ['*']],
      ],
    );
  });
});

describe('the MOUNT programs', () => {
  it('serve version 3 with all six procedures and version 1 without MNT', () => {
    const [v3, v1] = mountPrograms(harness('/srv *\n').service);
    assert.equal(v3!.vers, 3);
    assert.deepEqual([...v3!.procedures.keys()].sort(), [0, 1, 2, 3, 4, 5]);
    assert.equal(v1!.vers, MOUNT_V1);
    assert.deepEqual([...v1!.procedures.keys()].sort(), [0, 2, 3, 4, 5]);
    assert.equal(v1!.procedures.get(5)!.codec.name, 'MOUNTPROC_EXPORT');
  });
});
