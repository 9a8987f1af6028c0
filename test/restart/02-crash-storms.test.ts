import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { attrsOf, type Fh, handleOf, type Nfs3Client, ok, statusName } from '../helpers/nfs3-client.js';
import { Gateway, OPEN_OPTIONS } from './helpers/gateway.js';
import { Seeded, testSeed } from './helpers/seeded.js';

const CYCLES = 24;
const DIRS = ['alpha', 'beta', 'gamma'];
const FILE_SYNC = 2;
const UNSTABLE = 0;

/** A handle the client received, with the fileid that came with it. */
interface Issued {
  readonly fh: Fh;
  readonly fileid: bigint;
  readonly what: string;
}

/** Bytes the server acknowledged as stable: FILE_SYNC/DATA_SYNC, or UNSTABLE covered by a COMMIT. */
interface StableRange {
  readonly fh: Fh;
  readonly offset: number;
  readonly data: Buffer;
  readonly what: string;
}

/** Where an acknowledged RENAME put a file, while no later rename of it is in flight. */
interface Placement {
  dir: number;
  name: string;
  fileid: bigint;
  fh: Fh;
}

// The default `sync` export, and `async`: its catalog changes are written before each reply but synced in
// the background, which a kill -9 (unlike a power cut) must not be able to tell from `sync`.
for (const sync of ['sync', 'async'] as const)
  describe(`kill -9 at random moments during create, rename and write storms (${sync} export)`, () => {
    const seed = testSeed(0x5eed2026);
    const rng = new Seeded(seed);
    let gw: Gateway;
    const dirHandles: Fh[] = [];
    const issued: Issued[] = [];
    const stable: StableRange[] = [];
    const placements: Placement[] = [];
    const totals = { renames: 0, fileSync: 0, committed: 0, creates: 0 };

    before(async () => {
      gw = await Gateway.start({ options: `${OPEN_OPTIONS},${sync}` });
      for (const d of DIRS) {
        const res = ok(await gw.client.mkdir(gw.root, d), `MKDIR ${d}`).resok;
        dirHandles.push(handleOf(res.obj));
        issued.push({ fh: handleOf(res.obj), fileid: attrsOf(res.obj_attributes).fileid, what: `dir ${d}` });
      }
    });

    after(async () => {
      await gw?.close();
    });

    /** One storm: creators, a renamer and writers on one connection until the server dies under them. */
    const storm = async (cycle: number, client: Nfs3Client, stopped: () => boolean) => {
      const created: Placement[] = [];
      let renameInFlight: { p: Placement; toDir: number; toName: string } | undefined;

      const creator = async (worker: number) => {
        for (let n = 0; !stopped(); n++) {
          const dir = rng.int(0, DIRS.length - 1);
          const name = `c${cycle}-${worker}-${n}`;
          const res = await client.create(dirHandles[dir]!, name);
          if (res.status !== 0) throw new Error(`CREATE ${name}: ${statusName(res.status)}`);
          const fh = handleOf(res.resok.obj);
          const fileid = attrsOf(res.resok.obj_attributes).fileid;
          issued.push({ fh, fileid, what: `created ${DIRS[dir]}/${name} in cycle ${cycle}` });
          const p = { dir, name, fileid, fh };
          created.push(p);
          placements.push(p);
          totals.creates++;
        }
      };

      const renamer = async () => {
        for (let n = 0; !stopped(); n++) {
          const pool = created.length > 0 && rng.next() < 0.5 ? created : placements;
          const p = pool[rng.int(0, pool.length - 1)];
          if (!p) {
            await sleep(1);
            continue;
          }
          const toDir = rng.int(0, DIRS.length - 1);
          const toName = `r${cycle}-${n}`;
          renameInFlight = { p, toDir, toName };
          const res = await client.rename(dirHandles[p.dir]!, p.name, dirHandles[toDir]!, toName);
          if (res.status !== 0) throw new Error(`RENAME ${p.name} -> ${toName}: ${statusName(res.status)}`);
          p.dir = toDir;
          p.name = toName;
          renameInFlight = undefined;
          totals.renames++;
        }
      };

      const writer = async (worker: number) => {
        const name = `w${cycle}-${worker}`;
        const dir = rng.int(0, DIRS.length - 1);
        const res = await client.create(dirHandles[dir]!, name);
        if (res.status !== 0) throw new Error(`CREATE ${name}: ${statusName(res.status)}`);
        const fh = handleOf(res.resok.obj);
        const fileid = attrsOf(res.resok.obj_attributes).fileid;
        issued.push({ fh, fileid, what: `written ${DIRS[dir]}/${name} in cycle ${cycle}` });
        // The renamer may move the file while it is written: its handle must not care.
        placements.push({ dir, name, fileid, fh });
        let offset = 0;
        while (!stopped()) {
          if (rng.next() < 0.5) {
            const data = rng.bytes(rng.int(1, 16) * 1024);
            const w = ok(await client.write(fh, offset, data, FILE_SYNC), `WRITE FILE_SYNC ${name}`).resok;
            assert.equal(w.count, data.length, 'a FILE_SYNC write is never short here');
            assert.ok(w.committed >= 1, 'a FILE_SYNC write is acknowledged at least DATA_SYNC');
            stable.push({ fh, offset, data, what: `${name}@${offset} FILE_SYNC, cycle ${cycle}` });
            offset += data.length;
            totals.fileSync++;
          } else {
            const pieces: { offset: number; data: Buffer }[] = [];
            let verf: Buffer | undefined;
            for (let i = rng.int(1, 4); i > 0; i--) {
              const data = rng.bytes(rng.int(1, 16) * 1024);
              const w = ok(await client.write(fh, offset, data, UNSTABLE), `WRITE UNSTABLE ${name}`).resok;
              assert.equal(w.count, data.length);
              if (verf !== undefined)
                assert.deepEqual(w.verf, verf, 'one server instance, one write verifier');
              verf = w.verf;
              pieces.push({ offset, data });
              offset += data.length;
            }
            const c = ok(await client.commit(fh, 0, 0), `COMMIT ${name}`).resok;
            assert.deepEqual(c.verf, verf, 'COMMIT returns the verifier of the writes it covers');
            for (const p of pieces)
              stable.push({ fh, ...p, what: `${name}@${p.offset} UNSTABLE+COMMIT, cycle ${cycle}` });
            totals.committed++;
          }
        }
      };

      // Settled at once so a worker failing while the server dies is never an unhandled rejection.
      const workers = [creator(0), creator(1), renamer(), writer(0), writer(1)].map((w) =>
        w.then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      return { workers, inFlight: () => renameInFlight };
    };

    it(`loses no handle and no stable byte over ${CYCLES} crashes (seed ${seed}; NFSGATE_TEST_SEED replays)`, async () => {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const client = gw.client;
        let dead = false;
        const { workers, inFlight } = await storm(cycle, client, () => dead);
        await sleep(rng.int(20, 200));
        const stableBefore = stable.length;
        const issuedBefore = issued.length;
        await gw.server.kill9();
        dead = true;
        // Calls in flight fail with the connection; only what was acknowledged before counts.
        for (const failure of await Promise.all(workers)) {
          if (failure !== undefined && !/CLOSED|closed|ECONNRESET|EPIPE/.test(String(failure))) throw failure;
        }
        const moving = inFlight();
        await gw.restart('kill9');
        const c = gw.client;
        for (const h of issued.slice(0, issuedBefore)) {
          const res = await c.getattr(h.fh);
          assert.equal(statusName(res.status), 'NFS3_OK', `cycle ${cycle}: GETATTR of ${h.what}`);
          if (res.status === 0)
            assert.equal(res.resok.obj_attributes.fileid, h.fileid, `cycle ${cycle}: ${h.what}`);
        }
        for (const r of stable.slice(0, stableBefore).filter((s) => s.what.endsWith(`cycle ${cycle}`))) {
          const got = ok(await c.read(r.fh, r.offset, r.data.length), `READ ${r.what}`).resok;
          assert.ok(got.data.equals(r.data), `cycle ${cycle}: stable bytes of ${r.what} read back identical`);
        }
        for (const p of placements) {
          if (p === moving?.p) continue;
          const found = await c.lookup(dirHandles[p.dir]!, p.name);
          assert.equal(
            statusName(found.status),
            'NFS3_OK',
            `cycle ${cycle}: LOOKUP ${DIRS[p.dir]}/${p.name}`,
          );
          if (found.status === 0) assert.equal(attrsOf(found.resok.obj_attributes).fileid, p.fileid);
        }
        // A RENAME cut off by the kill either happened or not: the file is under exactly one of its two names.
        if (moving) {
          const { p, toDir, toName } = moving;
          ok(await c.getattr(p.fh), 'GETATTR of the file whose RENAME was cut off');
          const atOld = await c.lookup(dirHandles[p.dir]!, p.name);
          const atNew = await c.lookup(dirHandles[toDir]!, toName);
          const where = [atOld, atNew].filter(
            (r) => r.status === 0 && attrsOf(r.resok.obj_attributes).fileid === p.fileid,
          );
          assert.equal(
            where.length,
            1,
            `cycle ${cycle}: the cut-off rename of ${p.name} left it under one name`,
          );
          if (atNew.status === 0) {
            p.dir = toDir;
            p.name = toName;
          }
        }
      }
      assert.ok(totals.creates > CYCLES, `the storms created files (${JSON.stringify(totals)})`);
      assert.ok(totals.renames > CYCLES, `the storms renamed files (${JSON.stringify(totals)})`);
      assert.ok(totals.fileSync > 0 && totals.committed > 0, `the storms wrote (${JSON.stringify(totals)})`);
      assert.ok(stable.length > CYCLES, `the storms acknowledged stable writes (${JSON.stringify(totals)})`);
    });

    it('still serves every stable byte of every storm at the end', async () => {
      const c = gw.client;
      for (const r of stable) {
        const got = ok(await c.read(r.fh, r.offset, r.data.length), `READ ${r.what}`).resok;
        assert.ok(got.data.equals(r.data), `stable bytes of ${r.what} read back identical`);
      }
    });
  });
