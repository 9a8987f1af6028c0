import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchEventLoop } from '../../../src/observe/loop-lag.js';
import { ServerMetrics } from '../../../src/observe/metrics.js';

/** Holds the event loop for `ms`, as one long synchronous call would. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else may run
  }
}

describe('the event-loop watch', () => {
  it('reports a single 25 ms synchronous call as a block of more than 20 ms', async () => {
    const seen: number[] = [];
    const watch = watchEventLoop((s) => seen.push(s));
    try {
      await sleep(20);
      blockFor(25);
      await sleep(20);
      const longest = Math.max(...seen);
      assert.ok(longest > 0.02, `longest lateness ${longest * 1000} ms`);
      assert.ok(longest < 0.25, `longest lateness ${longest * 1000} ms`);
      assert.equal(watch.maxSeconds, longest);
    } finally {
      watch.stop();
    }
  });

  // 50 ms rather than 20: on a shared machine the process may wait that long for a CPU.
  it('reports next to nothing while the loop is free', async () => {
    const seen: number[] = [];
    const watch = watchEventLoop((s) => seen.push(s));
    try {
      await sleep(60);
      assert.ok(seen.length >= 5, `${seen.length} ticks in 60 ms`);
      assert.ok(seen.filter((s) => s > 0.05).length === 0, `blocks over 50 ms: ${seen.map((s) => s * 1000)}`);
    } finally {
      watch.stop();
    }
  });

  it('is exported as a histogram with buckets up to 0.5 s and a gauge of the longest block', () => {
    const m = new ServerMetrics();
    m.loopBlock.observe(0.003);
    m.loopBlock.observe(0.03);
    m.loopBlockMax.set(0.03);
    const text = m.registry.render();
    for (const le of ['0.005', '0.01', '0.02', '0.05', '0.1', '0.5'])
      assert.match(text, new RegExp(`^nfsgate_event_loop_block_seconds_bucket\\{le="${le}"\\} \\d+$`, 'm'));
    assert.match(text, /^nfsgate_event_loop_block_seconds_bucket\{le="0\.02"\} 1$/m);
    assert.match(text, /^nfsgate_event_loop_block_seconds_count 2$/m);
    assert.match(text, /^nfsgate_event_loop_block_max_seconds 0\.03$/m);
  });
});
