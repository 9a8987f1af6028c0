import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectLocks } from '../../../src/nfs3/object-locks.js';
import type { ObjectId } from '../../../src/store/ids.js';

const id = (n: number) => BigInt(n) as ObjectId;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ObjectLocks', () => {
  it('lets one holder of an object work at a time, in arrival order', async () => {
    const locks = new ObjectLocks();
    const events: string[] = [];
    const work = (name: string) =>
      locks.run([id(1)], async () => {
        events.push(`${name} in`);
        await tick();
        await tick();
        events.push(`${name} out`);
      });
    await Promise.all([work('a'), work('b'), work('c')]);
    assert.deepEqual(events, ['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    assert.equal(locks.size, 0, 'nothing stays locked');
  });

  it('does not hold back work on other objects', async () => {
    const locks = new ObjectLocks();
    const events: string[] = [];
    let release!: () => void;
    const blocked = locks.run([id(1)], () => new Promise<void>((resolve) => (release = resolve)));
    await locks.run([id(2)], async () => {
      events.push('other object ran');
    });
    assert.deepEqual(events, ['other object ran']);
    release();
    await blocked;
  });

  it('takes two objects in id order, so opposite RENAMEs cannot deadlock', async () => {
    const locks = new ObjectLocks();
    const done: string[] = [];
    const rename = (name: string, from: number, to: number) =>
      locks.run([id(from), id(to)], async () => {
        await tick();
        done.push(name);
      });
    await Promise.all([rename('a->b', 1, 2), rename('b->a', 2, 1), rename('a->b again', 1, 2)]);
    assert.deepEqual(done, ['a->b', 'b->a', 'a->b again']);
    assert.equal(locks.size, 0);
  });

  it('releases the lock when the work throws', async () => {
    const locks = new ObjectLocks();
    await assert.rejects(
      locks.run([id(7)], async () => {
        throw new Error('failed');
      }),
      /failed/,
    );
    let ran = false;
    await locks.run([id(7)], async () => {
      ran = true;
    });
    assert.ok(ran);
    assert.equal(locks.size, 0);
  });
});
