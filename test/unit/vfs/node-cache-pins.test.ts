import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pinsOf, withCallPins } from '../../../src/nfs3/call-pins.js';
import type { CallContext, ProgramVersion } from '../../../src/rpc/types.js';
import { openWithRelief } from '../../../src/vfs/descriptors.js';
import { NodeCache } from '../../../src/vfs/node-cache.js';
import { PinScope } from '../../../src/vfs/pin-scope.js';
import type { VNode } from '../../../src/vfs/types.js';
import type { ProcedureCodec } from '../../../src/xdr/codec.js';
import { errnoOf, isOpen, type Sandbox, sandbox, value } from './helpers.js';

/** Makes the next open fail with EMFILE once, so every descriptor cache is asked to give some back. */
function exhaustDescriptorsOnce(): void {
  let first = true;
  openWithRelief(() => {
    if (!first) return -1;
    first = false;
    throw Object.assign(new Error('too many open files'), { code: 'EMFILE' });
  });
}

describe('descriptors in use are pinned', () => {
  let box: Sandbox;
  let cache: NodeCache;
  const node = (): Promise<VNode> => value(box.fs.openRoot());

  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(async () => {
    cache?.close();
    box.cleanup();
  });

  it('a pinned descriptor survives eviction by newer entries, the idle sweep and descriptor exhaustion', async () => {
    cache = new NodeCache({ maxEntries: 2, idleMs: 1000 });
    const pins = new PinScope();
    const used = await node();
    cache.put(1n, used, pins);
    for (const key of [10n, 11n, 12n]) cache.put(key, await node());
    assert.equal(isOpen(used.fd), true, 'evicted while in use');
    assert.equal(cache.get(1n), used);
    cache.closeIdle(Date.now() + 60_000);
    assert.equal(isOpen(used.fd), true, 'closed as idle while in use');
    cache.put(20n, await node());
    cache.put(21n, await node());
    exhaustDescriptorsOnce();
    assert.equal(isOpen(used.fd), true, 'given back under descriptor exhaustion while in use');
    assert.equal((await value(await box.fs.getattr(used))).type, 2, 'still usable');
    pins.release();
    cache.closeIdle(Date.now() + 60_000);
    assert.equal(isOpen(used.fd), false, 'an unpinned idle descriptor is closed');
  });

  it('an entry deleted or replaced while pinned stays open until its last pin is released', async () => {
    cache = new NodeCache();
    const a = await node();
    const first = new PinScope();
    const second = new PinScope();
    cache.put(1n, a, first);
    assert.equal(cache.pin(a, second), true);
    cache.delete(1n);
    assert.equal(cache.get(1n), undefined, 'no longer findable');
    assert.equal(isOpen(a.fd), true);
    first.release();
    assert.equal(isOpen(a.fd), true, 'closed while another operation still uses it');
    second.release();
    assert.equal(isOpen(a.fd), false);

    const b = await node();
    const c = await node();
    const pins = new PinScope();
    cache.put(2n, b, pins);
    cache.put(2n, c);
    assert.equal(cache.get(2n), c);
    assert.equal(isOpen(b.fd), true, 'replaced while in use');
    pins.release();
    assert.equal(isOpen(b.fd), false);
    assert.equal(isOpen(c.fd), true);
  });

  it('a descriptor the cache already closed cannot be pinned, and is reported stale, never reused', async () => {
    cache = new NodeCache({ maxEntries: 1 });
    const a = await node();
    cache.put(1n, a);
    cache.put(2n, await node());
    assert.equal(cache.pin(a, new PinScope()), false);
    assert.equal(await errnoOf(await box.fs.getattr(a)), 'EBADF');
    const stranger = await node();
    assert.equal(cache.pin(stranger, new PinScope()), true, 'a node the cache does not own is its owner’s');
    box.fs.closeVNode(stranger);
  });

  it('closing the cache leaves descriptors in use open until their operations end', async () => {
    cache = new NodeCache();
    const a = await node();
    const b = await node();
    const pins = new PinScope();
    cache.put(1n, a, pins);
    cache.put(2n, b);
    cache.close();
    assert.deepEqual([isOpen(a.fd), isOpen(b.fd)], [true, false]);
    pins.release();
    assert.equal(isOpen(a.fd), false);
  });
});

describe('a call holds its pins until it is done', () => {
  const ctx = (): CallContext => ({
    xid: 1,
    prog: 100003,
    vers: 3,
    proc: 1,
    auth: { flavor: 0 },
    peer: { transport: 'tcp', address: '127.0.0.1', port: 700 },
    connectionId: 1,
  });

  /** A program of one procedure whose body is `body`, wrapped the way the NFS program is. */
  function programOf(body: (ctx: CallContext) => unknown): ProgramVersion {
    const codec = { proc: 1, name: 'TEST' } as unknown as ProcedureCodec<undefined, unknown>;
    return withCallPins({
      prog: 1,
      vers: 1,
      procedures: new Map([[1, { codec, idempotent: true, handle: (c: CallContext) => body(c) }]]),
    });
  }

  it('through every await of an asynchronous procedure, and releases them when it settles', async () => {
    let released = 0;
    let heldAfterAwait = false;
    const p = programOf(async (c) => {
      pinsOf(c)!.hold(() => released++);
      await new Promise((r) => setTimeout(r, 5));
      heldAfterAwait = released === 0;
      return 'reply';
    });
    const call = ctx();
    assert.equal(await p.procedures.get(1)!.handle(call, undefined), 'reply');
    assert.equal(heldAfterAwait, true, 'released before the procedure finished');
    assert.equal(released, 1);
    assert.equal(pinsOf(call), undefined);
  });

  it('releases them when a procedure returns, throws or rejects', async () => {
    let released = 0;
    const sync = programOf((c) => {
      pinsOf(c)!.hold(() => released++);
      return 'done';
    });
    assert.equal(sync.procedures.get(1)!.handle(ctx(), undefined), 'done');
    const throws = programOf((c) => {
      pinsOf(c)!.hold(() => released++);
      throw new Error('bug');
    });
    assert.throws(() => throws.procedures.get(1)!.handle(ctx(), undefined), /bug/);
    const rejects = programOf(async (c) => {
      pinsOf(c)!.hold(() => released++);
      await Promise.resolve();
      throw new Error('async bug');
    });
    await assert.rejects(async () => rejects.procedures.get(1)!.handle(ctx(), undefined), /async bug/);
    assert.equal(released, 3);
  });
});
