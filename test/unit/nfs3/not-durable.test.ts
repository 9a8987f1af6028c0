import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Catalog } from '../../../src/catalog/catalog.js';
import { exportFromCommandLine } from '../../../src/config/index.js';
import { Keyring } from '../../../src/handles/keyring.js';
import { HandleSealer } from '../../../src/handles/sealer.js';
import { Objects } from '../../../src/nfs3/objects.js';
import { nfs3Program } from '../../../src/nfs3/program.js';
import { silentLogger } from '../../../src/observe/logger.js';
import type { CallContext } from '../../../src/rpc/types.js';
import { openExport } from '../../../src/server/export-runtime.js';
import { openStateStore } from '../../../src/server/state-store.js';
import { ExportRegistry } from '../../../src/store/exports.js';
import type { Store } from '../../../src/store/store.js';
import { NodeCache } from '../../../src/vfs/node-cache.js';
import { createmode3, NFS_V3_PROCEDURES, nfsstat3 } from '../../../src/xdr/generated/nfs3.js';

const b = (s: string) => Buffer.from(s);
const unset = { set_it: false } as const;
const noAttrs = {
  mode: unset,
  uid: unset,
  gid: unset,
  size: unset,
  atime: { set_it: 0 },
  mtime: { set_it: 0 },
} as const;

describe('replies that carry handles when the catalog cannot make them durable', () => {
  let dir: string;
  let store: Store;
  let catalog: Catalog;
  let failSyncs = 0;
  let call: (proc: number, args: unknown) => Promise<{ status: number }>;
  let rootFh: Buffer;
  let nodes: NodeCache;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nfsgate-not-durable-'));
    mkdirSync(join(dir, 'export'));
    store = openStateStore(join(dir, 'state'));
    const keyring = Keyring.open(store);
    const registry = new ExportRegistry(store);
    catalog = new Catalog(store, {
      sync: {
        now: () => {},
        later: async () => {
          if (failSyncs > 0) {
            failSyncs--;
            throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
          }
        },
      },
    });
    const config = exportFromCommandLine({ dir: join(dir, 'export'), options: 'rw,no_root_squash' });
    assert.ok(config.ok);
    const exp = await openExport(config.value.exports[0]!, registry, catalog, { privileged: true });
    const sealer = new HandleSealer(keyring, (id) => (id === exp.id ? exp.uuid : undefined));
    nodes = new NodeCache();
    const objects = new Objects({ sealer, catalog, nodes, exports: new Map([[exp.id, exp]]) });
    const program = nfs3Program({ objects, writeVerifier: Buffer.alloc(8), logger: silentLogger() });
    const ctx: CallContext = {
      xid: 1,
      prog: 100003,
      vers: 3,
      proc: 0,
      auth: { flavor: 1, stamp: 0, machinename: Buffer.from('test'), uid: 0, gid: 0, gids: [] },
      peer: { transport: 'tcp', address: '127.0.0.1', port: 700 },
      connectionId: 1,
    };
    call = async (proc, args) =>
      (await program.procedures.get(proc)!.handle(ctx, args)) as { status: number };
    rootFh = sealer.seal(exp.id, exp.rootId, catalog.get(exp.rootId)!.generation);
  });

  after(async () => {
    nodes?.close();
    catalog?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers CREATE with JUKEBOX instead of a handle, and the retry succeeds once a sync does', async () => {
    failSyncs = 1;
    const args = {
      where: { dir: { data: rootFh }, name: b('made') },
      how: { mode: createmode3.UNCHECKED, obj_attributes: noAttrs },
    };
    const first = await call(NFS_V3_PROCEDURES.NFSPROC3_CREATE.proc, args);
    assert.equal(first.status, nfsstat3.NFS3ERR_JUKEBOX);
    assert.ok(existsSync(join(dir, 'export', 'made')), 'the file itself was made');
    const retry = await call(NFS_V3_PROCEDURES.NFSPROC3_CREATE.proc, args);
    assert.equal(retry.status, nfsstat3.NFS3_OK);
  });

  it('answers LOOKUP, MKDIR and READDIRPLUS with JUKEBOX while syncs fail', async () => {
    failSyncs = 1;
    const mkdir = await call(NFS_V3_PROCEDURES.NFSPROC3_MKDIR.proc, {
      where: { dir: { data: rootFh }, name: b('d') },
      attributes: noAttrs,
    });
    assert.equal(mkdir.status, nfsstat3.NFS3ERR_JUKEBOX);
    failSyncs = 1;
    // The directory exists, its catalog row is pending again: a LOOKUP hands out its handle only durably.
    const lookup = await call(NFS_V3_PROCEDURES.NFSPROC3_LOOKUP.proc, {
      what: { dir: { data: rootFh }, name: b('d') },
    });
    assert.equal(lookup.status, nfsstat3.NFS3ERR_JUKEBOX);
    failSyncs = 1;
    const listing = await call(NFS_V3_PROCEDURES.NFSPROC3_READDIRPLUS.proc, {
      dir: { data: rootFh },
      cookie: 0n,
      cookieverf: Buffer.alloc(8),
      dircount: 4096,
      maxcount: 8192,
    });
    assert.equal(listing.status, nfsstat3.NFS3ERR_JUKEBOX);
    const again = await call(NFS_V3_PROCEDURES.NFSPROC3_LOOKUP.proc, {
      what: { dir: { data: rootFh }, name: b('d') },
    });
    assert.equal(again.status, nfsstat3.NFS3_OK);
  });
});
