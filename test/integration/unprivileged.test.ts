import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectStatus, handleOf, Nfs3Client, ok } from '../helpers/nfs3-client.js';
import { ServerProcess } from '../helpers/server-process.js';

const NOBODY = { uid: 65534, gid: 65534 };

describe('nfsgate run as an unprivileged user', () => {
  let server: ServerProcess;
  let readOnly: ServerProcess;
  let client: Nfs3Client;

  before(async () => {
    // Ports above 1024 and a client source port the `secure` rule would refuse: `insecure` it is.
    server = await ServerProcess.start({ user: NOBODY, options: 'rw,insecure' });
    readOnly = await ServerProcess.start({ user: NOBODY, options: 'ro,insecure' });
    client = await Nfs3Client.connect({
      nfsPort: server.nfsPort,
      mountPort: server.mountPort,
      credentials: { uid: 1000, gid: 1000, gids: [1000] },
    });
  });
  after(async () => {
    await client?.close();
    await server?.cleanup();
    await readOnly?.cleanup();
  });

  it('says at start that it acts as its own user for every client', () => {
    const ready = server.logLines().find((l) => l.msg === 'nfsgate ready');
    assert.equal(ready?.privileged, false);
    assert.match(String(ready?.user), /uid 65534 \(unprivileged: acting as this user for every client\)/);
  });

  it('creates files as itself, whoever the client claims to be', async () => {
    const root = await client.mount('/export');
    handleOf(ok(await client.create(root, 'made-by-1000.txt'), 'CREATE').resok.obj);
    const st = statSync(join(server.exportDir, 'made-by-1000.txt'));
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 65534);
  });

  it('still refuses writes on a read-only export', async () => {
    const c = await Nfs3Client.connect({ nfsPort: readOnly.nfsPort, mountPort: readOnly.mountPort });
    try {
      const root = await c.mount('/export');
      expectStatus(await c.create(root, 'nope.txt'), 'NFS3ERR_ROFS');
      expectStatus(await c.mkdir(root, 'nope'), 'NFS3ERR_ROFS');
    } finally {
      await c.close();
    }
  });

  it('still keeps clients inside the export: a symlink to / is not followed', async () => {
    const root = await client.mount('/export');
    ok(await client.symlink(root, 'up', '/'), 'SYMLINK');
    writeFileSync(join(server.exportDir, 'plain.txt'), 'x');
    const link = await client.lookupPath(root, 'up');
    expectStatus(await client.lookup(link, 'etc'), 'NFS3ERR_NOTDIR');
  });
});
