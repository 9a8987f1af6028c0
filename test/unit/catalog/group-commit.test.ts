import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from '../../../src/catalog/group-commit.js';

/** A fake database: `pending` changes, written by commit() unless told to fail. */
function harness(options: { maxBatch?: number; lazyDelayMs?: number } = {}) {
  const state = { pending: 0, written: 0, failNext: false, errors: [] as unknown[] };
  const gc = new GroupCommit(
    () => {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('disk full');
      }
      const n = state.pending;
      state.written += n;
      state.pending = 0;
      return n;
    },
    () => state.pending,
    { delayMs: 1, onError: (e) => state.errors.push(e), ...options },
  );
  const change = (): void => {
    state.pending++;
    gc.changed();
  };
  return { gc, state, change };
}

describe('GroupCommit', () => {
  it('resolves durable() at once when nothing is pending', async () => {
    const { gc } = harness();
    await gc.durable();
    assert.equal(gc.stats.commits, 0);
  });

  it('commits changes made in the same window together', async () => {
    const { gc, state, change } = harness();
    for (let i = 0; i < 10; i++) change();
    await Promise.all([gc.durable(), gc.durable()]);
    assert.equal(state.written, 10);
    assert.deepEqual(gc.stats, { commits: 1, records: 10, largestBatch: 10, failures: 0 });
  });

  it('commits in the background even if nobody waits, within the lazy delay', async () => {
    const { state, change } = harness({ lazyDelayMs: 30 });
    change();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(state.written, 0, 'changes nobody waits for are gathered');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(state.written, 1);
  });

  it('hurries a lazy batch as soon as someone waits for it', async () => {
    const { gc, state, change } = harness({ lazyDelayMs: 10_000 });
    change();
    const started = Date.now();
    await gc.durable();
    assert.equal(state.written, 1);
    assert.ok(Date.now() - started < 1000, 'durable() did not wait for the lazy timer');
  });

  it('does not wait for the timer once a batch is full', async () => {
    const { gc, state, change } = harness({ maxBatch: 4 });
    for (let i = 0; i < 4; i++) change();
    await new Promise((r) => setImmediate(r));
    assert.equal(state.written, 4);
    assert.equal(gc.stats.commits, 1);
  });

  it('rejects the waiters of a failed commit, keeps the changes and retries them', async () => {
    const { gc, state, change } = harness();
    change();
    state.failNext = true;
    await assert.rejects(gc.durable(), /disk full/);
    assert.equal(state.pending, 1);
    assert.equal(state.errors.length, 1);
    await gc.durable();
    assert.equal(state.written, 1);
    assert.equal(gc.stats.failures, 1);
  });

  it('resolves durable() only after the background fsync of its batch, also for callers that come later', async () => {
    const state = { pending: 0, written: 0, syncsNow: 0 };
    let finishSync: () => void = () => {};
    const gc = new GroupCommit(
      () => {
        const n = state.pending;
        state.written += n;
        state.pending = 0;
        return n;
      },
      () => state.pending,
      {
        delayMs: 1,
        sync: {
          now: () => {
            state.syncsNow++;
          },
          later: () => new Promise<void>((resolve) => (finishSync = resolve)),
        },
      },
    );
    state.pending = 3;
    let first = false;
    const waiting = gc.durable().then(() => (first = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(state.written, 3, 'committed');
    assert.equal(first, false, 'but not durable until the fsync is done');
    let second = false;
    const later = gc.durable().then(() => (second = true));
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(second, false, 'nothing is pending, yet a later caller also waits for the fsync under way');
    finishSync();
    await Promise.all([waiting, later]);
    assert.ok(first && second);
    state.pending = 1;
    gc.flushNow();
    assert.equal(state.syncsNow, 1, 'a synchronous flush syncs synchronously');
  });

  describe('when a background fsync fails', () => {
    /** A fake store whose written changes are only durable once a sync succeeds; `lost` puts the
     * changes of failed syncs back, as the catalog does. */
    function failingSync() {
      const state = { pending: 0, written: 0, unsynced: 0, durable: 0, syncFailures: 1, syncs: 0 };
      const errors: unknown[] = [];
      const gc = new GroupCommit(
        () => {
          const n = state.pending;
          state.written += n;
          state.unsynced += n;
          state.pending = 0;
          return n;
        },
        () => state.pending,
        {
          delayMs: 1,
          onError: (e) => errors.push(e),
          onLost: () => {
            state.pending += state.unsynced;
            state.unsynced = 0;
          },
          onDurable: () => {
            state.durable += state.unsynced;
            state.unsynced = 0;
          },
          sync: {
            now: () => {},
            later: async () => {
              state.syncs++;
              await new Promise((r) => setTimeout(r, 5));
              if (state.syncFailures > 0) {
                state.syncFailures--;
                throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
              }
            },
          },
        },
      );
      return { gc, state, errors };
    }

    it('rejects the callers waiting for that batch: their replies must not claim durability', async () => {
      const { gc, state } = failingSync();
      state.pending = 2;
      await assert.rejects(gc.durable(), /EIO/);
      assert.equal(state.durable, 0);
    });

    it('makes a later durable() wait for a sync that succeeds, even with nothing new pending', async () => {
      const { gc, state, errors } = failingSync();
      state.pending = 2;
      await assert.rejects(gc.durable(), /EIO/);
      await gc.durable();
      assert.equal(state.durable, 2, 'the changes of the failed batch are durable now');
      assert.equal(state.written, 4, 'they were written again: pages of a failed writeback may be gone');
      assert.equal(errors.length, 1);
      assert.equal(gc.stats.failures, 1);
    });

    it('retries by itself when nobody waits', async () => {
      const { gc, state } = failingSync();
      state.pending = 1;
      gc.changed();
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(state.durable, 1);
      assert.equal(state.syncs, 2);
      assert.equal(state.unsynced, 0);
      await gc.durable();
    });

    it('keeps callers that join a sync under way waiting for its outcome', async () => {
      const { gc, state } = failingSync();
      state.pending = 1;
      const first = gc.durable();
      await new Promise((r) => setTimeout(r, 2));
      const joined = gc.durable();
      await assert.rejects(first, /EIO/);
      await assert.rejects(joined, /EIO/);
      await gc.durable();
      assert.equal(state.durable, 1);
    });

    it('without onLost still syncs again before anyone is told the data is durable', async () => {
      const state = { syncs: 0, fail: true, pending: 1 };
      const gc = new GroupCommit(
        () => {
          const n = state.pending;
          state.pending = 0;
          return n;
        },
        () => state.pending,
        {
          delayMs: 1,
          sync: {
            now: () => {},
            later: async () => {
              state.syncs++;
              if (state.fail) {
                state.fail = false;
                throw new Error('EIO');
              }
            },
          },
        },
      );
      await assert.rejects(gc.durable(), /EIO/);
      await gc.durable();
      assert.equal(state.syncs, 2);
    });
  });

  describe('written()', () => {
    /** A fake store whose syncs finish when the test says so; it tracks which commits each sync covers. */
    function manualSync(options: { failCommit?: boolean } = {}) {
      const state = { pending: 0, written: 0, uncovered: 0, covered: 0, durable: 0, syncs: 0 };
      const syncs: { finish(): void; fail(err: Error): void }[] = [];
      const gc = new GroupCommit(
        () => {
          if (options.failCommit) throw new Error('disk full');
          const n = state.pending;
          state.written += n;
          state.uncovered += n;
          state.pending = 0;
          return n;
        },
        () => state.pending,
        {
          delayMs: 1,
          onSyncStart: () => {
            state.covered += state.uncovered;
            state.uncovered = 0;
          },
          onDurable: () => {
            state.durable += state.covered;
            state.covered = 0;
          },
          onLost: () => {
            state.pending += state.covered + state.uncovered;
            state.covered = 0;
            state.uncovered = 0;
          },
          sync: {
            now: () => {},
            later: () =>
              new Promise<void>((resolve, reject) => {
                state.syncs++;
                syncs.push({ finish: resolve, fail: reject });
              }),
          },
        },
      );
      const tick = () => new Promise((r) => setTimeout(r, 5));
      return { gc, state, syncs, tick };
    }

    it('resolves once the changes are committed, without waiting for the sync that follows', async () => {
      const { gc, state, syncs, tick } = manualSync();
      state.pending = 3;
      await gc.written();
      assert.equal(state.written, 3);
      assert.equal(state.durable, 0, 'not yet synced');
      await tick();
      assert.equal(syncs.length, 1, 'the sync follows in the background');
      let durable = false;
      const waiting = gc.durable().then(() => (durable = true));
      await tick();
      assert.equal(durable, false, 'durable() still waits for that sync');
      syncs[0]!.finish();
      await waiting;
      assert.equal(state.durable, 3);
    });

    it('does not wait for a sync under way: it commits at once, and durable() waits for the next sync', async () => {
      const { gc, state, syncs, tick } = manualSync();
      state.pending = 2;
      const first = gc.durable();
      await tick();
      assert.equal(syncs.length, 1, 'a sync of the first batch is under way');
      state.pending = 5;
      await gc.written();
      assert.equal(state.written, 7, 'committed while that sync runs');
      const second = gc.durable();
      syncs[0]!.finish();
      await first;
      assert.equal(state.durable, 2, 'the first sync covers only what was committed before it began');
      await tick();
      assert.equal(syncs.length, 2, 'the changes committed meanwhile get their own sync');
      syncs[1]!.finish();
      await second;
      assert.equal(state.durable, 7);
    });

    it('syncs what it committed during a sync even when nobody waits for durable()', async () => {
      const { gc, state, syncs, tick } = manualSync();
      state.pending = 1;
      void gc.durable();
      await tick();
      state.pending = 1;
      await gc.written();
      syncs[0]!.finish();
      await tick();
      assert.equal(syncs.length, 2);
      syncs[1]!.finish();
      await tick();
      assert.equal(state.durable, 2);
    });

    it('resolves at once when nothing is pending, even while a sync runs', async () => {
      const { gc, state, syncs, tick } = manualSync();
      await gc.written();
      state.pending = 1;
      void gc.durable();
      await tick();
      assert.equal(syncs.length, 1);
      await gc.written();
      syncs[0]!.finish();
    });

    it('rejects when the commit fails, as durable() does', async () => {
      const { gc, state } = manualSync({ failCommit: true });
      state.pending = 1;
      await assert.rejects(gc.written(), /disk full/);
      await assert.rejects(gc.durable(), /disk full/);
      gc.stop();
    });

    it('has the changes of a failed sync written again, so durable() still means synced', async () => {
      const { gc, state, syncs, tick } = manualSync();
      state.pending = 2;
      await gc.written();
      await tick();
      const durable = gc.durable();
      syncs[0]!.fail(new Error('EIO: i/o error, fsync'));
      await assert.rejects(durable, /EIO/);
      assert.equal(state.pending, 2, 'handed back');
      await gc.written();
      assert.equal(state.written, 4);
      await tick();
      syncs[1]!.finish();
      await gc.durable();
      assert.equal(state.durable, 2);
    });
  });
});
