import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RpcClient } from '../../src/rpc/client.js';
import { NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES } from '../../src/xdr/generated/nfs3.js';
import { FixedXidCaller } from '../helpers/fixed-xid-caller.js';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { expectStatus, ok, sattr } from '../helpers/nfs3-client.js';

const P = NFS_V3_PROCEDURES;
const ALICE = { uid: 1001, gid: 1001 };
const BOB = { uid: 1002, gid: 1002 };
const U32_MAX = 0xffff_ffff;
const U64_MAX = 2n ** 64n - 1n;
const O_ACCMODE = 3;

function chattr(flag: string, path: string): void {
  const r = spawnSync('chattr', [flag, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, `chattr ${flag}: ${r.stderr}`);
}

/** The access modes (O_RDONLY 0, O_WRONLY 1, O_RDWR 2) of every descriptor process `pid` holds on `path`. */
function openModes(pid: number, path: string): number[] {
  const modes: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== path) continue;
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    if (flags) modes.push(Number.parseInt(flags[1]!, 8) & O_ACCMODE);
  }
  return modes;
}

describe('access checks and numeric edges on a read-write export', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw,root_squash,insecure' });
    chmodSync(m.server.exportDir, 0o777);
  });
  after(() => m?.close());

  const hostFile = (name: string, owner: { uid: number; gid: number }, mode: number, content = 'data') => {
    const path = join(m.server.exportDir, name);
    writeFileSync(path, content);
    chownSync(path, owner.uid, owner.gid);
    chmodSync(path, mode);
    return path;
  };

  it("LINK follows protected_hardlinks: a user cannot hard-link root's 0600 file into its own directory", async () => {
    hostFile('roots-secret', { uid: 0, gid: 0 }, 0o600);
    hostFile('alices-suid', ALICE, 0o4666);
    hostFile('alices-shared', ALICE, 0o666);
    mkdirSync(join(m.server.exportDir, 'bobs'));
    chownSync(join(m.server.exportDir, 'bobs'), BOB.uid, BOB.gid);
    const bobs = await m.client.lookupPath(m.root, 'bobs');
    const as = m.client.as(BOB);
    expectStatus(
      await as.link(await m.client.lookupPath(m.root, 'roots-secret'), bobs, 'mine'),
      'NFS3ERR_PERM',
    );
    expectStatus(
      await as.link(await m.client.lookupPath(m.root, 'alices-suid'), bobs, 'suid'),
      'NFS3ERR_PERM',
    );
    assert.deepEqual(readdirSync(join(m.server.exportDir, 'bobs')), []);
    // A file the caller may read and write, or one it owns, may be linked.
    ok(await as.link(await m.client.lookupPath(m.root, 'alices-shared'), bobs, 'shared'));
    hostFile('bobs-own', BOB, 0o400);
    ok(await as.link(await m.client.lookupPath(m.root, 'bobs-own'), bobs, 'own'));
  });

  it('a reply from the duplicate request cache goes only to the credential that made the call', async () => {
    const dir = join(m.server.exportDir, 'alices-dir');
    mkdirSync(dir);
    chownSync(dir, ALICE.uid, ALICE.gid);
    chmodSync(dir, 0o755);
    const where = {
      dir: { data: await m.client.lookupPath(m.root, 'alices-dir') },
      name: Buffer.from('made'),
    };
    const raw = await FixedXidCaller.connect(m.server.nfsPort);
    try {
      const args = { where, attributes: sattr() };
      expectStatus(
        await raw.call(0x0dd0_0001, NFS_PROGRAM, NFS_V3, P.NFSPROC3_MKDIR, args, ALICE),
        'NFS3_OK',
      );
      // Same connection, xid and arguments, another user: it runs as that user, who may not write here.
      expectStatus(
        await raw.call(0x0dd0_0001, NFS_PROGRAM, NFS_V3, P.NFSPROC3_MKDIR, args, BOB),
        'NFS3ERR_ACCES',
      );
      expectStatus(
        await raw.call(0x0dd0_0001, NFS_PROGRAM, NFS_V3, P.NFSPROC3_MKDIR, args, ALICE),
        'NFS3_OK',
      );
    } finally {
      await raw.close();
    }
  });

  it('READ of an append-only or immutable file works, and reads never hold the file open for writing', async () => {
    for (const flag of ['+a', '+i']) {
      const name = `attr${flag[1]}`;
      const path = hostFile(name, ALICE, 0o644, `readable despite chattr ${flag}`);
      chattr(flag, path);
      try {
        const f = await m.client.lookupPath(m.root, name);
        const got = ok(await m.client.as(ALICE).read(f, 0, 100)).resok;
        assert.equal(got.data.toString(), `readable despite chattr ${flag}`);
        assert.equal(got.eof, true);
      } finally {
        chattr(flag.replace('+', '-'), path);
      }
    }
    const path = hostFile('plain', ALICE, 0o666, 'plain');
    const f = await m.client.lookupPath(m.root, 'plain');
    ok(await m.client.as(ALICE).read(f, 0, 100));
    ok(await m.client.as(ALICE).commit(f));
    const modes = openModes(m.server.pid!, path);
    assert.ok(modes.length > 0, 'the server keeps a data descriptor for the file');
    assert.deepEqual(
      modes,
      modes.map(() => 0),
      'read-only descriptors only',
    );
  });

  it('READ, WRITE and COMMIT at offsets near 2^64 and counts of 2^32-1 answer short, FBIG or INVAL', async () => {
    hostFile('edges', ALICE, 0o666, 'twelve bytes');
    const f = await m.client.lookupPath(m.root, 'edges');
    const as = m.client.as(ALICE);
    const whole = ok(await as.read(f, 0, U32_MAX)).resok;
    assert.equal(whole.data.toString(), 'twelve bytes');
    assert.equal(whole.eof, true);
    for (const offset of [2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, U64_MAX]) {
      const r = ok(await as.read(f, offset, U32_MAX), `READ at ${offset}`).resok;
      assert.deepEqual([r.count, r.eof], [0, true], `READ at ${offset}`);
    }
    for (const offset of [2n ** 53n, 2n ** 63n - 1n, U64_MAX]) {
      expectStatus(await as.write(f, offset, Buffer.from('x')), 'NFS3ERR_FBIG');
    }
    const raw = await FixedXidCaller.connect(m.server.nfsPort);
    try {
      const args = {
        file: { data: f },
        offset: 0n,
        count: U32_MAX,
        stable: 2 as const,
        data: Buffer.from('short'),
      };
      expectStatus(
        await raw.call(0x0dd0_0002, NFS_PROGRAM, NFS_V3, P.NFSPROC3_WRITE, args, ALICE),
        'NFS3ERR_INVAL',
      );
    } finally {
      await raw.close();
    }
    ok(await as.commit(f, 0n, U32_MAX));
    ok(await as.commit(f, 2n ** 62n, U32_MAX));
    expectStatus(await as.commit(f, U64_MAX, U32_MAX), 'NFS3ERR_INVAL');
    const listed = ok(await as.readdir(m.root, 0n, Buffer.alloc(8), U32_MAX)).resok;
    assert.equal(listed.reply.eof, true);
    ok(await as.readdirplus(m.root, 0n, Buffer.alloc(8), U32_MAX, U32_MAX));
    const errors = m.server.logLines().filter((l) => (l.level ?? 0) >= 50);
    assert.deepEqual(errors, [], 'no error-level log line');
  });
});

describe('COMMIT needs write access', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'ro,no_root_squash' });
    writeFileSync(join(m.server.exportDir, 'f'), 'x');
  });
  after(() => m?.close());

  it('on a read-only export COMMIT answers ROFS, as knfsd does', async () => {
    const f = await m.client.lookupPath(m.root, 'f');
    expectStatus(await m.client.commit(f), 'NFS3ERR_ROFS');
  });
});

describe('COMMIT by a user who may not write the file', () => {
  let m: Mounted;
  before(async () => {
    m = await serveAndMount({ options: 'rw' });
    const path = join(m.server.exportDir, 'alices');
    writeFileSync(path, 'x');
    chownSync(path, ALICE.uid, ALICE.gid);
    chmodSync(path, 0o644);
  });
  after(() => m?.close());

  it('answers ACCES', async () => {
    const f = await m.client.lookupPath(m.root, 'alices');
    expectStatus(await m.client.as(BOB).commit(f), 'NFS3ERR_ACCES');
    ok(await m.client.as(ALICE).commit(f));
  });
});

describe('READDIR and READDIRPLUS over UDP', () => {
  let m: Mounted;
  let udp: RpcClient;
  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash,insecure' });
    mkdirSync(join(m.server.exportDir, 'many'));
    for (let i = 0; i < 1500; i++)
      writeFileSync(join(m.server.exportDir, 'many', `${'n'.repeat(60)}-${i}`), '');
    udp = await RpcClient.connect({
      host: '127.0.0.1',
      port: m.server.nfsPort,
      transport: 'udp',
      timeoutMs: 3000,
      auth: { flavor: 1, stamp: 0, machinename: Buffer.from('t'), uid: 0, gid: 0, gids: [] },
    });
  });
  after(async () => {
    udp?.close();
    await m?.close();
  });

  it('answer a 1 MiB count with a page that fits one datagram, and FSINFO says dtpref fits too', async () => {
    const many = await m.client.lookupPath(m.root, 'many');
    const verf = Buffer.alloc(8);
    const plain = ok(
      await udp.call(NFS_PROGRAM, NFS_V3, P.NFSPROC3_READDIR, {
        dir: { data: many },
        cookie: 0n,
        cookieverf: verf,
        count: 1 << 20,
      }),
    ).resok;
    assert.equal(plain.reply.eof, false);
    assert.ok(plain.reply.entries.length > 10);
    const plus = ok(
      await udp.call(NFS_PROGRAM, NFS_V3, P.NFSPROC3_READDIRPLUS, {
        dir: { data: many },
        cookie: 0n,
        cookieverf: verf,
        dircount: 1 << 20,
        maxcount: 1 << 20,
      }),
    ).resok;
    assert.equal(plus.reply.eof, false);
    assert.ok(plus.reply.entries.length > 10);
    const info = ok(
      await udp.call(NFS_PROGRAM, NFS_V3, P.NFSPROC3_FSINFO, { fsroot: { data: m.root } }),
    ).resok;
    assert.ok(info.dtpref <= 32768, `dtpref ${info.dtpref}`);
    assert.equal(m.server.logLines().filter((l) => l.msg === 'reply too large for UDP, dropped').length, 0);
  });
});
