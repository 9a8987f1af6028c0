import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { ok } from '../helpers/nfs3-client.js';

const run = promisify(execFile);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe("Debian's libnfs tools (nfs-ls, nfs-cp, nfs-cat) against the server", () => {
  let m: Mounted;
  let local: string;
  const url = (path: string) =>
    `nfs://127.0.0.1${m.server.name}${path}?version=3&nfsport=${m.server.nfsPort}&mountport=${m.server.mountPort}`;

  before(async () => {
    // Default squashing and a secure export: libnfs, run as root, binds a reserved port like the kernel.
    m = await serveAndMount({ options: 'rw,no_root_squash,secure' });
    local = mkdtempSync(join(tmpdir(), 'nfsgate-libnfs-'));
    writeFileSync(join(m.server.exportDir, 'greeting.txt'), 'hello from the host\n');
  });
  after(async () => {
    rmSync(local, { recursive: true, force: true });
    await m?.close();
  });

  it('nfs-cp copies a 3 MiB file in and back out unchanged', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(join(local, 'in.bin'), data);
    await run('nfs-cp', [join(local, 'in.bin'), url('/copied.bin')], { timeout: 30_000 });
    assert.equal(sha256(readFileSync(join(m.server.exportDir, 'copied.bin'))), sha256(data));
    await run('nfs-cp', [url('/copied.bin'), join(local, 'out.bin')], { timeout: 30_000 });
    assert.equal(sha256(readFileSync(join(local, 'out.bin'))), sha256(data));
    const fh = await m.client.lookupPath(m.root, 'copied.bin');
    assert.equal(ok(await m.client.getattr(fh)).resok.obj_attributes.size, BigInt(data.length));
  });

  it('nfs-cat prints a file', async () => {
    const { stdout } = await run('nfs-cat', [url('/greeting.txt')], { timeout: 10_000 });
    assert.equal(stdout, 'hello from the host\n');
  });

  it('nfs-ls lists the export with sizes, and recursively', async () => {
    writeFileSync(join(m.server.exportDir, 'sized'), Buffer.alloc(12345));
    const { stdout } = await run('nfs-ls', [url('/')], { timeout: 10_000 });
    const line = stdout.split('\n').find((l) => l.endsWith(' sized'));
    assert.ok(line, `sized not listed in:\n${stdout}`);
    assert.match(line, /\s12345 sized$/);
    assert.match(stdout, /greeting\.txt/);

    const dir = join(m.server.exportDir, 'tree', 'branch');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'leaf'), 'x');
    const rec = await run('nfs-ls', ['-R', url('/')], { timeout: 10_000 });
    assert.match(rec.stdout, /tree\/branch\/leaf/);
  });
});
