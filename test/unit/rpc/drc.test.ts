import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DrcKey, DuplicateRequestCache } from '../../../src/rpc/drc.js';

const key = (over: Partial<DrcKey> = {}): DrcKey => ({
  client: '192.0.2.1',
  xid: 7,
  prog: 100003,
  vers: 3,
  proc: 12,
  cred: 'sys:1001:1001:',
  args: Buffer.from('remove me'),
  ...over,
});

function execute(drc: DuplicateRequestCache, k: DrcKey, reply: string, cacheable = true): void {
  const l = drc.lookup(k);
  assert.equal(l.kind, 'execute');
  if (l.kind === 'execute') l.complete([Buffer.from(reply)], cacheable);
}

describe('duplicate request cache', () => {
  it('replays the exact reply bytes of a completed call to its retransmission', () => {
    const drc = new DuplicateRequestCache();
    const l = drc.lookup(key());
    assert.equal(l.kind, 'execute');
    if (l.kind === 'execute') l.complete([Buffer.from('head-'), Buffer.from('body')], true);
    const again = drc.lookup(key());
    assert.equal(again.kind, 'replay');
    if (again.kind === 'replay') assert.equal(Buffer.concat(again.reply).toString(), 'head-body');
  });

  it('treats a different client, xid, procedure, credential or argument bytes as a different call', () => {
    const drc = new DuplicateRequestCache();
    execute(drc, key(), 'first');
    for (const k of [
      key({ client: '192.0.2.2' }),
      key({ xid: 8 }),
      key({ proc: 13 }),
      key({ vers: 2 }),
      key({ prog: 100005 }),
      key({ args: Buffer.from('remove you') }),
      key({ cred: 'sys:1002:1001:' }),
      key({ cred: 'sys:1001:1001:0' }),
      key({ cred: 'none' }),
    ]) {
      assert.equal(drc.lookup(k).kind, 'execute', JSON.stringify({ ...k, args: k.args.toString() }));
    }
  });

  it('makes a retransmission that arrives while the first is running wait for the first reply', async () => {
    const drc = new DuplicateRequestCache();
    const first = drc.lookup(key());
    const retry = drc.lookup(key());
    assert.equal(retry.kind, 'in-progress');
    assert.equal(drc.inProgress, 1);
    if (first.kind === 'execute') first.complete([Buffer.from('done')], true);
    if (retry.kind === 'in-progress') assert.equal(Buffer.concat(await retry.reply).toString(), 'done');
    assert.equal(drc.inProgress, 0);
  });

  it('does not keep a reply marked not cacheable, so the retry runs again', () => {
    const drc = new DuplicateRequestCache();
    execute(drc, key(), 'SYSTEM_ERR', false);
    assert.equal(drc.lookup(key()).kind, 'execute');
  });

  it('keeps at most maxEntries, forgetting the oldest first', () => {
    const drc = new DuplicateRequestCache({ maxEntries: 3 });
    for (let xid = 1; xid <= 5; xid++) execute(drc, key({ xid }), `r${xid}`);
    assert.equal(drc.size, 3);
    assert.equal(drc.lookup(key({ xid: 5 })).kind, 'replay');
    assert.equal(drc.lookup(key({ xid: 3 })).kind, 'replay');
    assert.equal(drc.lookup(key({ xid: 2 })).kind, 'execute', 'evicted');
  });

  it('forgets replies older than maxAgeMs', () => {
    let now = 1_000_000;
    const drc = new DuplicateRequestCache({ maxAgeMs: 120_000, now: () => now });
    execute(drc, key({ xid: 1 }), 'old');
    now += 60_000;
    execute(drc, key({ xid: 2 }), 'young');
    now += 61_000;
    assert.equal(drc.lookup(key({ xid: 2 })).kind, 'replay');
    assert.equal(drc.lookup(key({ xid: 1 })).kind, 'execute', 'expired after 121 s');
  });

  it('still wakes waiters of a running call that was evicted meanwhile', async () => {
    const drc = new DuplicateRequestCache({ maxEntries: 1 });
    const first = drc.lookup(key({ xid: 1 }));
    const retry = drc.lookup(key({ xid: 1 }));
    execute(drc, key({ xid: 2 }), 'other');
    if (first.kind === 'execute') first.complete([Buffer.from('late')], true);
    if (retry.kind === 'in-progress') assert.equal(Buffer.concat(await retry.reply).toString(), 'late');
    assert.equal(drc.lookup(key({ xid: 1 })).kind, 'execute');
  });
});
