import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, type Nfs3Client, ok, statusName } from '../helpers/nfs3-client.js';
import type { LogLine } from '../helpers/server-process.js';
import { Gateway } from './helpers/gateway.js';

interface Taken {
  readonly label: string;
  readonly fh: Fh;
}

/** A tree whose objects get catalog ids 2, 3, ... in creation order, as in any fresh state folder. */
async function build(c: Nfs3Client, root: Fh, names: readonly string[]): Promise<Taken[]> {
  const taken: Taken[] = [{ label: 'root', fh: root }];
  const dir = handleOf(ok(await c.mkdir(root, names[0]!), 'MKDIR').resok.obj);
  taken.push({ label: names[0]!, fh: dir });
  for (const n of names.slice(1))
    taken.push({ label: n, fh: await c.writeFile(dir, n, Buffer.from(`content of ${n}`)) });
  return taken;
}

function refusals(lines: readonly LogLine[]): LogLine[] {
  return lines.filter((l) => typeof l.msg === 'string' && /handle refused/.test(l.msg));
}

describe('a lost or replaced state folder', () => {
  const work = mkdtempSync(join(tmpdir(), 'nfsgate-lost-state-'));
  const exportDir = join(work, 'export');
  const stateDir = join(work, 'state');
  let original: Taken[];

  before(async () => {
    mkdirSync(exportDir);
    const gw = await Gateway.start({ exportDir, stateDir });
    try {
      original = await build(gw.client, gw.root, ['docs', 'a.txt', 'b.txt']);
    } finally {
      await gw.close();
    }
  });

  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  /** Every handle of the first state folder is STALE, and a same-position handle of the new one is not confused with it. */
  async function expectAllStale(gw: Gateway, what: string, tag: string) {
    // Objects created in the same order get the same catalog ids (and the same key id) in the new folder:
    // the old handles differ from valid ones only in their tag.
    const fresh = await build(gw.client, gw.root, [`other-${tag}`, 'x.txt', 'y.txt']);
    for (const [i, t] of original.entries()) {
      const res = await gw.client.getattr(t.fh);
      assert.equal(statusName(res.status), 'NFS3ERR_STALE', `${what}: old handle of ${t.label}`);
      assert.equal(t.fh.subarray(0, 2).equals(fresh[i]!.fh.subarray(0, 2)), true, 'same format and key id');
      const r = await gw.client.read(t.fh, 0, 100);
      assert.equal(statusName(r.status), 'NFS3ERR_STALE', `${what}: READ of the old handle of ${t.label}`);
      ok(await gw.client.getattr(fresh[i]!.fh), `${what}: the new handle of ${fresh[i]!.label}`);
    }
    // The files themselves are still there: a new MNT and LOOKUP find them under new handles.
    const again = await gw.client.lookupPath(gw.root, 'docs/a.txt');
    assert.deepEqual(await gw.client.readAll(again), Buffer.from('content of a.txt'));
  }

  function expectRefusalExplained(gw: Gateway, what: string) {
    const lines = refusals(gw.server.logLines());
    assert.ok(lines.length > 0, `${what}: the server logs that it refused handles`);
    const why = lines.map((l) => `${String(l.reason)}: ${String(l.why)}`).join('\n');
    const all = gw.server
      .logLines()
      .map((l) => JSON.stringify(l))
      .join('\n');
    assert.match(
      why,
      /keyring|state folder/,
      `${what}: the log says the handles come from another state folder; log:\n${all}`,
    );
  }

  it('answers STALE for every old handle after the state folder was deleted, and says why at start and on refusal', async () => {
    rmSync(stateDir, { recursive: true });
    const gw = await Gateway.start({ exportDir, stateDir });
    try {
      await expectAllStale(gw, 'state folder deleted', 'deleted');
      const startup = gw.server.logLines().filter((l) => l.level !== undefined && l.level >= 40);
      assert.ok(
        startup.some((l) => /new state folder/.test(String(l.msg)) && /STALE/.test(String(l.msg))),
        `a warning at start says the state folder is new and old handles are STALE; got:\n${startup.map((l) => l.msg).join('\n')}`,
      );
      expectRefusalExplained(gw, 'state folder deleted');
    } finally {
      await gw.close();
    }
  });

  it("answers STALE for every old handle when the state folder was replaced by another server's", async () => {
    const elsewhere = await Gateway.start();
    const replacement = join(work, 'replacement');
    try {
      await build(elsewhere.client, elsewhere.root, ['zzz', 'q.txt', 'r.txt']);
      await elsewhere.server.stop();
      cpSync(elsewhere.server.stateDir, replacement, { recursive: true });
    } finally {
      await elsewhere.close();
    }
    const gw = await Gateway.start({ exportDir, stateDir: replacement });
    try {
      await expectAllStale(gw, 'state folder replaced', 'replaced');
      expectRefusalExplained(gw, 'state folder replaced');
    } finally {
      await gw.close();
    }
  });
});
