import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Nfs3Client } from '../helpers/nfs3-client.js';
import { cliPath, ServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);

/** Runs the nfsgate command line; resolves with its exit code and output whatever the code. */
async function nfsgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath(), ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the nfsgate command line', () => {
  let server: ServerProcess;
  let client: Nfs3Client;
  let fileHandle: Buffer;

  before(async () => {
    server = await ServerProcess.start({ options: 'rw,no_root_squash,insecure' });
    mkdirSync(join(server.exportDir, 'docs'));
    writeFileSync(join(server.exportDir, 'docs', 'readme.txt'), 'hello\n');
    client = await Nfs3Client.connect({ nfsPort: server.nfsPort, mountPort: server.mountPort });
    const root = await client.mount('/export');
    fileHandle = await client.lookupPath(root, 'docs/readme.txt');
  });
  after(async () => {
    await client?.close();
    await server?.cleanup();
  });

  it('keeps its state in a database only its owner can read', () => {
    assert.equal(statSync(join(server.stateDir, 'nfsgate.db')).mode & 0o777, 0o600);
  });

  it('explains a handle: key, export, object, current path and a valid verdict', async () => {
    const r = await nfsgate('handle', 'inspect', fileHandle.toString('hex'), '--state', server.stateDir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /key:\s+1 \(active\)/);
    assert.match(r.stdout, /export:\s+1 \/export -> /);
    assert.match(r.stdout, /path:\s+.*docs\/readme\.txt/);
    assert.match(r.stdout, /on disk:\s+present, same object/);
    assert.match(r.stdout, /verdict:\s+valid/);
  });

  it('calls a handle with one flipped bit STALE and a short one BADHANDLE', async () => {
    const flipped = Buffer.from(fileHandle);
    flipped[20]! ^= 1;
    const stale = await nfsgate('handle', 'inspect', flipped.toString('hex'), '--state', server.stateDir);
    assert.equal(stale.code, 1);
    assert.match(stale.stdout, /verdict:\s+STALE \(bad-tag\)/);
    const short = await nfsgate('handle', 'inspect', 'deadbeef', '--state', server.stateDir);
    assert.match(short.stdout, /verdict:\s+BADHANDLE/);
  });

  it('rotates keys while the server runs: old handles keep working, new ones carry the new key', async () => {
    const rotated = await nfsgate('keys', 'rotate', '--state', server.stateDir);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /key 2 is now active; key 1 still verifies/);
    const list = await nfsgate('keys', 'list', '--state', server.stateDir);
    assert.match(list.stdout, /^1\s+verify\s/m);
    assert.match(list.stdout, /^2\s+active\s/m);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await client.getattr(fileHandle)).status, 0, 'the old handle still works');
    const root = await client.mount('/export');
    const fresh = await client.lookupPath(root, 'docs');
    assert.equal(fresh[1], 2, 'a handle issued now is sealed with key 2');
  });

  it('refuses to retire the active key, and retiring the old key makes its handles STALE', async () => {
    const refused = await nfsgate('keys', 'retire', '2', '--state', server.stateDir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /active/);
    const retired = await nfsgate('keys', 'retire', '1', '--state', server.stateDir);
    assert.equal(retired.code, 0, retired.stderr);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await client.getattr(fileHandle)).status, 70, 'NFS3ERR_STALE');
  });

  it('lists exports and the state folder contents', async () => {
    const exports = await nfsgate('exports', 'list', '--state', server.stateDir);
    assert.match(exports.stdout, /^1\s+live\s+\d+\s+\/export\s+/m);
    const status = await nfsgate('status', '--state', server.stateDir);
    assert.match(status.stdout, /schema version \d+/);
    assert.match(status.stdout, /mounts:\s+127\.0\.0\.1:\/export/);
  });
});

describe('nfsgate serve refuses a state folder it cannot trust', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const serveWith = (state: string) =>
    nfsgate(
      'serve',
      join(dir, 'exp'),
      '--state',
      state,
      '--nfs-port',
      '0',
      '--mount-port',
      '0',
      '--no-portmap',
    );

  it('refuses a database file that is not SQLite, says why, and leaves it untouched', async () => {
    const state = join(dir, 'garbage');
    mkdirSync(state);
    writeFileSync(join(state, 'nfsgate.db'), 'this is not a database\n');
    const r = await serveWith(state);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing to start: .*nfsgate\.db/);
    assert.equal(statSync(join(state, 'nfsgate.db')).size, 'this is not a database\n'.length);
  });

  it('refuses a foreign SQLite database', async () => {
    const state = join(dir, 'foreign');
    mkdirSync(state);
    await run('sqlite3', [join(state, 'nfsgate.db'), 'CREATE TABLE t(x); INSERT INTO t VALUES (1);']).catch(
      async () => {
        const { default: Database } = await import('better-sqlite3');
        const db = new Database(join(state, 'nfsgate.db'));
        db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1);');
        db.close();
      },
    );
    const r = await serveWith(state);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing to start/);
  });

  it('answers a usage error with exit code 2 and the usage', async () => {
    const r = await nfsgate('serve', '--bogus');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --bogus/);
  });
});
