// The Linux kernel NFS client against nfsgate: a throw-away guest (see vm/README.md)
// mounts the server, which runs in a private network namespace on this host.
// Needs root and the packages listed in vm/README.md; fails, never skips, without them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chunkListShell, describeTree, expectedChunkedMd5, generateTree, md5OfFile } from './host-files.js';
import { Lab, recordTiming, STALE_OR_EIO, show, testRunDir, timed, timings } from './lab.js';
import { exportOptions, MOUNT_PATH, MOUNT_PORT, NFS_PORT } from './nfsgate-cli.js';
import { missingPrerequisites } from './prerequisites.js';
import { GUEST_ADDRESS, GUEST_GATEWAY, mountCommand, shq } from './vm/index.js';

const STANDARD = exportOptions('no_root_squash', 'insecure');
/** No `insecure`: only privileged source ports, which only tap networking delivers. */
const SECURE = exportOptions('rw', 'no_root_squash');
const ROOT_SQUASH = exportOptions('rw', 'root_squash', 'insecure');
const MNT = '/mnt/nfs';
const MiB = 1 << 20;

// Two guests, booted on first use and shared by the scenarios: user networking (the
// server sees 127.0.0.1 and unprivileged ports) and tap networking (the guest's own
// address and privileged ports, and several times the throughput under TCG).
const labs = new Map<'user' | 'tap', Promise<Lab>>();
function lab(net: 'user' | 'tap'): Promise<Lab> {
  let l = labs.get(net);
  if (!l) {
    l = timed(`bring up the ${net} guest`, () =>
      net === 'user' ? Lab.start('user', STANDARD) : Lab.start('tap', SECURE, { mem: 1536 }),
    );
    labs.set(net, l);
  }
  return l;
}

/** Times the scenario (a describe) from its before hook to its after hook. */
function scenarioTimer(name: string): void {
  let t0 = 0;
  before(() => {
    t0 = performance.now();
  });
  after(() => recordTiming(`scenario: ${name}`, performance.now() - t0));
}

async function downAll(): Promise<void> {
  for (const l of labs.values()) {
    const lb = await l.catch(() => null);
    if (lb) await lb.down();
  }
  labs.clear();
}

// a runner that times out or is interrupted sends SIGTERM/SIGINT: leave nothing running
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    downAll().finally(() => process.exit(130));
  });
}

after(async () => {
  await downAll();
  const width = Math.max(...timings.map((t) => t.what.length), 10);
  const lines = timings.map((t) => `  ${t.what.padEnd(width)} ${(t.ms / 1000).toFixed(2).padStart(8)} s`);
  process.stderr.write(`kernel-client timings (run folder ${testRunDir()}):\n${lines.join('\n')}\n`);
});

describe('Prerequisites', () => {
  it('runs as root on x86_64 with QEMU, a guest kernel, static busybox, iproute2, mount.nfs and a built nfsgate', () => {
    assert.deepEqual(missingPrerequisites(), []);
  });
});

describe('1. Mount forms', { timeout: 10 * 60_000 }, () => {
  scenarioTimer('mount forms');
  let u: Lab;
  before(async () => {
    u = await lab('user');
  });

  async function mountsAndReads(l: Lab, mnt: string, cmd: string): Promise<string> {
    const r = await timed(`mount: ${cmd.replace(/.*&& /, '').slice(0, 60)}`, () =>
      l.guest.exec(`mkdir -p ${mnt} && ${cmd}`, { timeout: 120 }),
    );
    assert.equal(r.rc, 0, `mount failed: ${cmd}\n${show(r)}`);
    try {
      const line = (await l.guest.sh(`grep ' ${mnt} nfs ' /proc/mounts`)).trim();
      assert.match(line, /vers=3/);
      assert.equal(await l.guest.sh(`cat ${mnt}/mount-forms/probe`), 'probe\n');
      return line;
    } finally {
      await l.guest.umount(mnt);
    }
  }

  it('mounts with explicit NFS and MOUNT ports through the kernel option parser, and data flows both ways', async () => {
    const line = (await u.guest.sh(`grep ' ${MNT} nfs ' /proc/mounts`)).trim();
    assert.match(line, new RegExp(`vers=3.*port=${NFS_PORT}.*mountport=${MOUNT_PORT}`));
    await u.guest.sh(`mkdir -p ${MNT}/mount-forms && echo probe > ${MNT}/mount-forms/probe`);
    assert.equal(fs.readFileSync(u.host('mount-forms', 'probe'), 'utf8'), 'probe\n');
    fs.writeFileSync(u.host('mount-forms', 'from-host'), 'written on the host\n');
    assert.equal(await u.guest.sh(`cat ${MNT}/mount-forms/from-host`), 'written on the host\n');
  });

  it('mounts through the portmapper when no ports are given (kernel options, then plain `mount -t nfs -o vers=3`)', async () => {
    const line = await mountsAndReads(
      u,
      '/mnt/pm',
      mountCommand({ path: MOUNT_PATH, portmap: true, mnt: '/mnt/pm' }),
    );
    assert.doesNotMatch(line, /[ ,]port=/, 'no NFS port was given: the portmapper told it');
    // without addr= the kernel refuses and busybox falls back to the mount.nfs helper on PATH,
    // which insists on nolock because the guest runs no rpc.statd
    await mountsAndReads(
      u,
      '/mnt/pm2',
      `mount -t nfs -o vers=3,nolock ${GUEST_GATEWAY}:${MOUNT_PATH} /mnt/pm2`,
    );
  });

  it('mounts with the mount.nfs helper, with explicit ports and through the portmapper', async () => {
    const base = { path: MOUNT_PATH, helper: 'mount.nfs' as const };
    await mountsAndReads(u, '/mnt/helper', mountCommand({ ...base, mnt: '/mnt/helper' }));
    await mountsAndReads(
      u,
      '/mnt/helper-pm',
      mountCommand({ ...base, portmap: true, mnt: '/mnt/helper-pm' }),
    );
  });

  it('accepts a secure export over tap, where the server sees the guest address and a privileged port', async () => {
    const t = await lab('tap');
    await t.guest.sh(`mkdir -p ${MNT}/mount-forms && echo probe > ${MNT}/mount-forms/probe`);
    assert.equal(fs.readFileSync(t.host('mount-forms', 'probe'), 'utf8'), 'probe\n');
    const ss = t.guest.netnsRun(['ss', '-Htn', 'state', 'established', `( sport = :${NFS_PORT} )`]);
    assert.equal(ss.status, 0, ss.stderr);
    const peers = ss.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).at(-1) ?? '');
    assert.ok(peers.length > 0, `no NFS connection seen: ${ss.stdout}`);
    for (const p of peers) {
      // a server listening on :: shows IPv4 peers as [::ffff:a.b.c.d]
      const addr = p.slice(0, p.lastIndexOf(':')).replace(/^\[(::ffff:)?|\]$/g, '');
      const port = Number(p.slice(p.lastIndexOf(':') + 1));
      assert.equal(addr, GUEST_ADDRESS);
      assert.ok(port < 1024, `the kernel client's source port ${port} should be privileged`);
    }
    await mountsAndReads(
      t,
      '/mnt/tap-pm',
      mountCommand({ path: MOUNT_PATH, portmap: true, mnt: '/mnt/tap-pm' }),
    );
  });

  it('refuses a secure export over user networking, whose source ports are not privileged', async () => {
    await u.restart({ options: SECURE });
    try {
      const cmd = mountCommand({ path: MOUNT_PATH, mnt: '/mnt/secure', extra: 'soft,timeo=30,retrans=1' });
      const r = await u.guest.exec(`mkdir -p /mnt/secure && ${cmd}`, { timeout: 120 });
      assert.ok(!r.timedOut, `the refusal must be an answer, not a hang\n${show(r)}`);
      assert.notEqual(r.rc, 0, `mount of a secure export from an unprivileged port succeeded\n${show(r)}`);
      assert.doesNotMatch(await u.guest.sh('cat /proc/mounts'), / \/mnt\/secure nfs /);
    } finally {
      await u.restart({ options: STANDARD });
    }
    await u.dropCaches();
    assert.equal(await u.guest.sh(`cat ${MNT}/mount-forms/probe`, { timeout: 120 }), 'probe\n');
  });
});

describe('2. Everyday use', { timeout: 30 * 60_000 }, () => {
  scenarioTimer('everyday use');
  let t: Lab;
  const D = `${MNT}/daily`;
  before(async () => {
    t = await lab('tap');
    await t.guest.sh(`mkdir -p ${D}`);
  });

  it('creates, writes and reads back files whose md5 match on host and guest', async () => {
    const out = await t.guest.sh(
      `cd ${D} && dd if=/dev/urandom of=random.bin bs=1k count=777 2>/dev/null && echo hello > hello.txt` +
        ` && sync && echo 3 > /proc/sys/vm/drop_caches && md5sum random.bin hello.txt`,
    );
    for (const line of out.trim().split('\n')) {
      const [sum, name] = line.split(/\s+/);
      assert.equal(await md5OfFile(t.host('daily', name!)), sum, `${name} differs between guest and host`);
    }
    assert.equal(fs.statSync(t.host('daily', 'random.bin')).size, 777 * 1024);
    const fromHost = Buffer.alloc(300_001, 'host data ');
    fs.writeFileSync(t.host('daily', 'from-host.bin'), fromHost);
    const sum = (await t.guest.sh(`md5sum ${D}/from-host.bin`)).split(' ')[0];
    assert.equal(sum, await md5OfFile(t.host('daily', 'from-host.bin')));
  });

  it('makes a deep tree with mkdir -p', async () => {
    const rel = Array.from({ length: 40 }, (_, i) => `level${i}`).join('/');
    await t.guest.sh(`mkdir -p ${D}/deep/${rel} && echo bottom > ${D}/deep/${rel}/bottom`);
    assert.equal(fs.readFileSync(t.host('daily', 'deep', rel, 'bottom'), 'utf8'), 'bottom\n');
    await t.dropCaches();
    assert.equal(await t.guest.sh(`cat ${D}/deep/${rel}/bottom`), 'bottom\n');
  });

  it('renames a file across directories', async () => {
    await t.guest.sh(`cd ${D} && mkdir -p from to && echo moving > from/a && mv from/a to/b`);
    assert.ok(!fs.existsSync(t.host('daily', 'from', 'a')));
    assert.equal(fs.readFileSync(t.host('daily', 'to', 'b'), 'utf8'), 'moving\n');
    await t.dropCaches();
    const r = await t.guest.exec(`ls ${D}/from; cat ${D}/to/b`);
    assert.equal(r.stdout, 'moving\n', show(r));
  });

  it('makes symlinks, relative, absolute and dangling, and reads through them', async () => {
    await t.guest.sh(
      `cd ${D} && echo target > target && ln -s target rel-link && ln -s /etc/passwd abs-link && ln -s no/such dangling`,
    );
    assert.equal(fs.readlinkSync(t.host('daily', 'rel-link')), 'target');
    assert.equal(fs.readlinkSync(t.host('daily', 'abs-link')), '/etc/passwd');
    assert.equal(fs.readlinkSync(t.host('daily', 'dangling')), 'no/such');
    await t.dropCaches();
    assert.equal(
      await t.guest.sh(`cat ${D}/rel-link && readlink ${D}/abs-link && readlink ${D}/dangling`),
      'target\n/etc/passwd\nno/such\n',
    );
    // the absolute link resolves in the guest, to the guest's own /etc/passwd
    assert.match(await t.guest.sh(`cat ${D}/abs-link`), /^root:x:0:0:/);
  });

  it('makes hard links that share the inode number and count links', async () => {
    await t.guest.sh(`cd ${D} && echo linked > orig && ln orig hard`);
    await t.dropCaches();
    const out = (await t.guest.sh(`stat -c '%i %h' ${D}/orig ${D}/hard`)).trim().split('\n');
    const hostOrig = fs.statSync(t.host('daily', 'orig'));
    assert.equal(hostOrig.ino, fs.statSync(t.host('daily', 'hard')).ino);
    assert.deepEqual(out, [`${hostOrig.ino} 2`, `${hostOrig.ino} 2`]);
    await t.guest.sh(`rm ${D}/orig && cat ${D}/hard`);
    assert.equal(fs.statSync(t.host('daily', 'hard')).nlink, 1);
  });

  it('keeps a file through rename, link, unlink, rename, link (maildir delivery)', async () => {
    const r = await t.guest.exec(
      `cd ${D} && echo mail > ma && mv ma mb && ln mb ma && rm mb && mv ma mb && ln mb ma && cat ma mb`,
    );
    assert.equal(r.rc, 0, show(r));
    assert.equal(r.stdout, 'mail\nmail\n');
    assert.equal(fs.statSync(t.host('daily', 'ma')).nlink, 2);
  });

  it('sets the times of a symlink itself with touch -h', async () => {
    await t.guest.sh(`cd ${D} && echo t > times-target && ln -s times-target times-link`);
    const before = fs.statSync(t.host('daily', 'times-target')).mtimeMs;
    const r = await t.guest.exec(`touch -h -d '2002-03-04 05:06:07' ${D}/times-link`);
    assert.equal(r.rc, 0, show(r));
    assert.equal(fs.lstatSync(t.host('daily', 'times-link')).mtimeMs, Date.UTC(2002, 2, 4, 5, 6, 7));
    assert.equal(fs.statSync(t.host('daily', 'times-target')).mtimeMs, before, 'the target is untouched');
  });

  it('changes mode, owner and times with chmod, chown and touch -d', async () => {
    await t.guest.sh(
      `cd ${D} && echo attrs > attrs && chmod 640 attrs && chown 1234:5678 attrs && touch -d '2001-02-03 04:05:06' attrs`,
    );
    const st = fs.statSync(t.host('daily', 'attrs'));
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, 1234);
    assert.equal(st.gid, 5678);
    assert.equal(st.mtimeMs, Date.UTC(2001, 1, 3, 4, 5, 6));
    await t.dropCaches();
    assert.equal(
      (await t.guest.sh(`stat -c '%a %u %g %Y' ${D}/attrs`)).trim(),
      `640 1234 5678 ${Date.UTC(2001, 1, 3, 4, 5, 6) / 1000}`,
    );
  });

  it('truncates files down and up', async () => {
    await t.guest.sh(
      `cd ${D} && dd if=/dev/urandom of=trunc bs=1000 count=10 2>/dev/null && truncate -s 1234 trunc`,
    );
    assert.equal(fs.statSync(t.host('daily', 'trunc')).size, 1234);
    await t.guest.sh(`truncate -s 1M ${D}/trunc`);
    const b = fs.readFileSync(t.host('daily', 'trunc'));
    assert.equal(b.length, MiB);
    assert.ok(
      b.subarray(1234).every((x) => x === 0),
      'the extension reads as zeros',
    );
    await t.dropCaches();
    assert.equal((await t.guest.sh(`stat -c %s ${D}/trunc`)).trim(), String(MiB));
  });

  it('makes a FIFO with mkfifo', async () => {
    await t.guest.sh(`mkfifo ${D}/fifo`);
    assert.ok(fs.lstatSync(t.host('daily', 'fifo')).isFIFO());
    await t.dropCaches();
    assert.equal((await t.guest.sh(`stat -c %F ${D}/fifo`)).trim(), 'fifo');
  });

  it('lists a directory of 5,000 entries with ls -la, each entry once', async () => {
    await timed('create 5,000 files (guest shell loop)', () =>
      t.guest.sh(
        `mkdir ${D}/many && cd ${D}/many && i=0; while [ $i -lt 5000 ]; do : > f$i; i=$((i+1)); done`,
      ),
    );
    await t.dropCaches();
    const r = await timed('ls -la of 5,000 entries', () => t.guest.exec(`ls -la ${D}/many`));
    assert.equal(r.rc, 0, show(r));
    assert.equal(r.stderr, '');
    const names = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/).at(-1) ?? '');
    const expected = ['.', '..', ...Array.from({ length: 5000 }, (_, i) => `f${i}`)];
    assert.deepEqual([...names].sort(), expected.sort());
    assert.equal(fs.readdirSync(t.host('daily', 'many')).length, 5000);
  });

  it('removes trees with rm -r', async () => {
    await t.guest.sh(`rm -r ${D}/many ${D}/deep`);
    assert.ok(!fs.existsSync(t.host('daily', 'many')));
    assert.ok(!fs.existsSync(t.host('daily', 'deep')));
    await t.dropCaches();
    assert.equal((await t.guest.exec(`ls ${D}/many`)).rc, 1);
  });

  it('reports the exported file system size with df', async () => {
    const out = (await t.guest.sh(`df -k ${MNT}`)).trim().split('\n').at(-1) ?? '';
    const guestTotalKiB = Number(out.split(/\s+/)[1]);
    const s = fs.statfsSync(t.exportDir);
    const hostTotalKiB = (s.blocks * s.bsize) / 1024;
    assert.ok(
      Math.abs(guestTotalKiB - hostTotalKiB) <= hostTotalKiB * 0.01,
      `df total ${guestTotalKiB} KiB, host ${hostTotalKiB} KiB`,
    );
  });

  it('unpacks a tar archive made on the host into a tree equal to the original, file by file', async () => {
    const tree = path.join(testRunDir(), 'tar-source');
    generateTree(tree);
    const tarball = path.join(testRunDir(), 'tree.tar');
    const tar = spawnSync('tar', ['-cf', tarball, '-C', tree, '.'], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);
    fs.copyFileSync(tarball, t.host('daily', 'tree.tar'));
    await timed('tar -x in the guest', () =>
      t.guest.sh(`mkdir ${D}/untar && tar -xf ${D}/tree.tar -C ${D}/untar`),
    );
    const want = describeTree(tree);
    const got = describeTree(t.host('daily', 'untar'));
    assert.ok(want.size > 100, `the generated tree is too small (${want.size})`);
    assert.deepEqual([...got.keys()], [...want.keys()]);
    for (const [rel, w] of want) assert.deepEqual(got.get(rel), w, rel);
  });

  it('writes a 1 GiB file in the guest and reads it back with the same md5 on host and guest', async () => {
    const chunks = `${D}/chunks`;
    await t.guest.sh(
      `mkdir ${chunks} && for c in $(seq 0 15); do dd if=/dev/urandom of=${chunks}/c$c bs=1M count=1 2>/dev/null; done`,
    );
    const write = await timed('write 1 GiB (tap)', () =>
      t.guest.exec(`${chunkListShell(chunks, 1024, 16)}; cat "$@" > ${D}/one-gib && sync`, { timeout: 1200 }),
    );
    assert.equal(write.rc, 0, show(write));
    assert.equal(fs.statSync(t.host('daily', 'one-gib')).size, 1024 * MiB);
    const expected = expectedChunkedMd5(t.host('daily', 'chunks'), 1024, 16);
    assert.equal(
      await md5OfFile(t.host('daily', 'one-gib')),
      expected,
      'host copy differs from what was written',
    );
    await t.dropCaches();
    const read = await timed('read back 1 GiB with md5sum (tap)', () =>
      t.guest.sh(`md5sum ${D}/one-gib`, { timeout: 1200 }),
    );
    assert.equal(read.split(' ')[0], expected, 'guest read-back differs from what was written');
    fs.rmSync(t.host('daily', 'one-gib'));
  });
});

describe('3. Permissions as the kernel client sends them', { timeout: 10 * 60_000 }, () => {
  scenarioTimer('permissions');
  let u: Lab;
  const P = `${MNT}/perm`;
  /** Run as a guest user (busybox su, users from the initramfs /etc/passwd). */
  const as = (user: 'alice' | 'bob', cmd: string) =>
    u.guest.exec(`cd ${P} && su -s /bin/sh ${user} -c ${shq(cmd)}`);

  function place(
    rel: string,
    kind: 'file' | 'dir',
    uid: number,
    gid: number,
    mode: number,
    content = '',
  ): void {
    const p = u.host('perm', rel);
    if (kind === 'dir') fs.mkdirSync(p, { recursive: true });
    else fs.writeFileSync(p, content);
    fs.chownSync(p, uid, gid);
    fs.chmodSync(p, mode);
  }

  before(async () => {
    u = await lab('user');
    place('.', 'dir', 0, 0, 0o755);
    place('bob-private', 'file', 1001, 1001, 0o600, 'secret\n');
    place('bob-public', 'file', 1001, 1001, 0o644, 'public\n');
    place('root-private', 'file', 0, 0, 0o600, 'root only\n');
    place('root-dir', 'dir', 0, 0, 0o755);
    place('sticky', 'dir', 0, 0, 0o1777);
    place('sticky/bob-file', 'file', 1001, 1001, 0o666, 'bob\n');
    place('alice-dir', 'dir', 1000, 1000, 0o755);
    place('open-dir', 'dir', 0, 0, 0o777);
    await u.restart({ options: ROOT_SQUASH });
    await u.dropCaches();
  });
  after(async () => {
    await u?.restart({ options: STANDARD });
  });

  it('runs the guest commands as uid 1000', async () => {
    assert.equal((await as('alice', 'id -u; id -g')).stdout, '1000\n1000\n');
  });

  it("denies uid 1000 reading another user's 0600 file", async () => {
    const r = await as('alice', 'cat bob-private');
    assert.notEqual(r.rc, 0, show(r));
    assert.match(r.stderr, /Permission denied/);
  });

  it("lets uid 1000 read another user's 0644 file but not write it", async () => {
    assert.equal((await as('alice', 'cat bob-public')).stdout, 'public\n');
    const r = await as('alice', 'echo more >> bob-public');
    assert.match(r.stderr, /Permission denied/, show(r));
    assert.equal(fs.readFileSync(u.host('perm', 'bob-public'), 'utf8'), 'public\n');
  });

  it('denies uid 1000 creating or removing entries in a root-owned 0755 directory', async () => {
    const r = await as('alice', 'echo x > root-dir/new');
    assert.match(r.stderr, /Permission denied/, show(r));
    assert.ok(!fs.existsSync(u.host('perm', 'root-dir', 'new')));
    const m = await as('alice', 'mkdir root-dir/sub');
    assert.notEqual(m.rc, 0, show(m));
  });

  it("denies removing another user's file from a sticky directory, but not one's own", async () => {
    const r = await as('alice', 'rm -f sticky/bob-file');
    assert.notEqual(r.rc, 0, show(r));
    assert.ok(fs.existsSync(u.host('perm', 'sticky', 'bob-file')));
    const own = await as('alice', 'echo mine > sticky/alice-file && rm sticky/alice-file');
    assert.equal(own.rc, 0, show(own));
  });

  it("denies a non-owner chown and chgrp of another user's file even to its current owner and group", async () => {
    for (const cmd of ['chown bob bob-public', 'chgrp bob bob-public']) {
      const r = await as('alice', cmd);
      assert.notEqual(r.rc, 0, `${cmd}: ${show(r)}`);
      assert.match(r.stderr, /Operation not permitted/, cmd);
    }
  });

  it("denies uid 1000 a hard link to root's 0600 file (fs.protected_hardlinks)", async () => {
    const r = await as('alice', 'ln root-private alice-dir/stolen');
    assert.notEqual(r.rc, 0, show(r));
    assert.ok(!fs.existsSync(u.host('perm', 'alice-dir', 'stolen')));
  });

  it("denies chmod, chown and setting times on another user's file", async () => {
    for (const cmd of [
      'chmod 666 bob-public',
      'chown alice bob-public',
      "touch -d '2001-01-01 00:00:00' bob-public",
    ]) {
      const r = await as('alice', cmd);
      assert.notEqual(r.rc, 0, `${cmd} succeeded\n${show(r)}`);
      assert.match(r.stderr, /Operation not permitted|Permission denied/, cmd);
    }
    const st = fs.statSync(u.host('perm', 'bob-public'));
    assert.equal(st.mode & 0o7777, 0o644);
    assert.equal(st.uid, 1001);
  });

  it('gives files created by uid 1000 the owner 1000:1000 on the host, and lets the owner chmod them', async () => {
    const r = await as('alice', 'echo hi > alice-dir/made-by-alice && chmod 600 alice-dir/made-by-alice');
    assert.equal(r.rc, 0, show(r));
    const st = fs.statSync(u.host('perm', 'alice-dir', 'made-by-alice'));
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1000, 1000, 0o600]);
  });

  it('squashes root to 65534 by default: what guest root creates is owned by 65534, 0600 root files are closed', async () => {
    const r = await u.guest.exec(`echo squashed > ${P}/open-dir/by-root; cat ${P}/root-private`);
    const st = fs.statSync(u.host('perm', 'open-dir', 'by-root'));
    assert.deepEqual([st.uid, st.gid], [65534, 65534]);
    assert.match(r.stderr, /Permission denied/, show(r));
  });

  it('honours no_root_squash: guest root creates files owned by 0 and reads 0600 files of others', async () => {
    await u.restart({ options: exportOptions('rw', 'no_root_squash', 'insecure') });
    await u.dropCaches();
    const r = await u.guest.exec(
      `echo root > ${P}/open-dir/by-real-root && cat ${P}/root-private ${P}/bob-private`,
    );
    assert.equal(r.rc, 0, show(r));
    assert.equal(r.stdout, 'root only\nsecret\n');
    const st = fs.statSync(u.host('perm', 'open-dir', 'by-real-root'));
    assert.deepEqual([st.uid, st.gid], [0, 0]);
  });
});

describe('4. Restart persistence', { timeout: 15 * 60_000 }, () => {
  scenarioTimer('restart persistence');
  let u: Lab;
  const REL = 'persist/a/b/c/d/e/f/g/h';
  const DEEP = `${MNT}/${REL}`;
  let pending = '';
  let round = 0;

  before(async () => {
    u = await lab('user');
    await u.guest.sh(`mkdir -p ${DEEP}/sub && cd ${DEEP} && echo first > log && echo known > k1`);
    await u.guest.holdStart('persist', DEEP, '3<log', '4>>log');
    pending = 'first\n';
  });
  after(async () => {
    await u?.guest.holdStop('persist');
  });

  /** Everything a client holding handles does after a restart; none of it may see ESTALE or EIO. */
  async function checkHeldHandles(label: string): Promise<void> {
    await u.dropCaches();
    const seen: string[] = [];
    const ok = async (
      what: string,
      p: Promise<{ rc: number; stdout: string; stderr: string; timedOut: boolean }>,
    ) => {
      const r = await p;
      seen.push(`${what}: ${r.stderr}`);
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, STALE_OR_EIO, `${label}: ${what}`);
      assert.equal(r.rc, 0, `${label}: ${what} failed: ${r.stderr}`);
      return r.stdout;
    };
    assert.equal(
      await ok('read through the held fd', u.guest.holdExec('persist', 'cat <&3', { timeout: 120 })),
      pending,
    );
    const ls = await ok('ls in the held cwd', u.guest.holdExec('persist', 'ls', { timeout: 120 }));
    assert.deepEqual(
      ls
        .trim()
        .split('\n')
        .filter((n) => !n.startsWith('new-')),
      ['k1', 'log', 'sub'],
    );
    await ok('stat of known paths', u.guest.exec(`stat -c %i ${MNT} ${MNT}/persist ${DEEP}/k1 ${DEEP}/sub`));
    round++;
    const line = `${label} round ${round}`;
    await ok(
      'write through the held fd',
      u.guest.holdExec('persist', `echo ${shq(line)} >&4`, { timeout: 120 }),
    );
    await ok(
      'create in the held cwd',
      u.guest.holdExec('persist', `echo x > new-${round} && cat new-${round}`),
    );
    await ok('sync', u.guest.exec('sync', { timeout: 120 }));
    assert.ok(
      fs.readFileSync(u.host(REL, 'log'), 'utf8').endsWith(`${line}\n`),
      `${label}: write did not reach the host`,
    );
    pending = `${line}\n`;
  }

  it('keeps a held fd, a held cwd and known paths working across kill -9 and a restart with the same state', async () => {
    await checkHeldHandles('before any restart');
    const r = await u.restart();
    recordTiming('server restart (kill -9 to listening)', r.ms);
    await timed('first checks after a restart (includes reconnect)', () => checkHeldHandles('after kill -9'));
  });

  it('keeps them working when the handle key is rotated between kill and restart', async () => {
    await u.restart({ between: async () => u.rotateKeys() });
    await checkHeldHandles('after keys rotate');
    await u.restart({ between: async () => u.rotateKeys() });
    await checkHeldHandles('after a second keys rotate');
  });

  it('keeps them working after ten restarts in a row, each one used by the client', async () => {
    await timed('ten restarts with a stat after each', async () => {
      for (let i = 1; i <= 10; i++) {
        await u.restart();
        const r = await u.guest.holdExec('persist', 'stat -c %i k1 .', { timeout: 120 });
        assert.equal(r.rc, 0, `restart ${i}: ${show(r)}`);
        assert.doesNotMatch(r.stderr, STALE_OR_EIO);
      }
    });
    await checkHeldHandles('after ten restarts');
  });
});

describe('5. Restart under load', { timeout: 20 * 60_000 }, () => {
  scenarioTimer('restart under load');
  let t: Lab;
  const L = `${MNT}/load`;
  const FILES = 3000;
  const BLOCKS = 256;

  before(async () => {
    t = await lab('tap');
    await t.guest.sh(
      `mkdir -p ${L}/chunks ${L}/many && for c in $(seq 0 15); do dd if=/dev/urandom of=${L}/chunks/c$c bs=1M count=1 2>/dev/null; done`,
    );
  });

  const bigSize = (): number => {
    try {
      return fs.statSync(t.host('load', 'big')).size;
    } catch {
      return 0;
    }
  };
  const fileCount = (): number => fs.readdirSync(t.host('load', 'many')).length;
  async function until(what: string, cond: () => boolean, ms = 120_000): Promise<void> {
    const t0 = performance.now();
    while (!cond()) {
      if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('finishes a 256 MiB dd and a create loop through two kill -9 restarts, with matching md5 and no EIO/ESTALE', async () => {
    const dd = t.guest.exec(`${chunkListShell(`${L}/chunks`, BLOCKS, 16)}; cat "$@" | dd of=${L}/big bs=1M`, {
      timeout: 1200,
    });
    const loop = t.guest.exec(
      `cd ${L}/many && i=0; while [ $i -lt ${FILES} ]; do echo $i > f$i || echo "create f$i failed"; i=$((i+1)); done`,
      { timeout: 1200 },
    );
    const kills: string[] = [];
    for (let k = 1; k <= 2; k++) {
      const [size0, count0] = [bigSize(), fileCount()];
      await until(
        `progress before kill ${k}`,
        () => bigSize() >= size0 + 8 * MiB && fileCount() >= count0 + 20,
      );
      const [size, count] = [bigSize(), fileCount()];
      assert.ok(size < BLOCKS * MiB, `dd had finished before kill ${k}: the test did not test anything`);
      assert.ok(count < FILES, `the create loop had finished before kill ${k}`);
      kills.push(`kill ${k} at ${(size / MiB).toFixed(0)} MiB and ${count} files`);
      await t.restart({ between: () => new Promise((r) => setTimeout(r, 1000)) });
    }
    const [ddR, loopR] = await timed('load completion after the second restart', () =>
      Promise.all([dd, loop]),
    );
    for (const [what, r] of [
      ['dd', ddR],
      ['create loop', loopR],
    ] as const) {
      assert.equal(r.rc, 0, `${what}: ${show(r)}`);
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, STALE_OR_EIO, what);
      assert.doesNotMatch(r.stdout, /failed/, what);
    }
    process.stderr.write(`restart under load: ${kills.join('; ')}\n`);
    const expected = expectedChunkedMd5(t.host('load', 'chunks'), BLOCKS, 16);
    assert.equal(bigSize(), BLOCKS * MiB);
    assert.equal(await md5OfFile(t.host('load', 'big')), expected, 'host copy differs from what dd wrote');
    await t.dropCaches();
    assert.equal((await t.guest.sh(`md5sum ${L}/big`, { timeout: 600 })).split(' ')[0], expected);
    assert.equal(fileCount(), FILES);
    for (let i = 0; i < FILES; i++)
      assert.equal(fs.readFileSync(t.host('load', 'many', `f${i}`), 'utf8'), `${i}\n`);
    fs.rmSync(t.host('load', 'big'));
  });
});

describe('6. Negative control: a fresh state folder', { timeout: 10 * 60_000 }, () => {
  scenarioTimer('negative control');
  let u: Lab;
  before(async () => {
    u = await lab('user');
    await u.guest.sh(`mkdir -p ${MNT}/neg/sub && echo data > ${MNT}/neg/sub/file`);
    await u.guest.holdStart('neg', `${MNT}/neg/sub`, `3<${MNT}/neg/sub/file`);
  });

  it('makes every held handle stale: the held cwd and fd see "Stale file handle"', async () => {
    await u.restart({ stateDir: path.join(testRunDir(), 'user', 'fresh-state') });
    await u.dropCaches();
    const ls = await u.guest.holdExec('neg', 'ls', { timeout: 120 });
    assert.notEqual(ls.rc, 0, show(ls));
    assert.match(ls.stderr, /Stale file handle/, show(ls));
    const read = await u.guest.holdExec('neg', 'cat <&3', { timeout: 120 });
    assert.notEqual(read.rc, 0, show(read));
    assert.match(read.stderr, /Stale file handle/, show(read));
  });
});
