import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Contender,
  type Memory,
  ratio,
  rowsOf,
  type Sample,
  verdicts,
  workloadTable,
} from '../../../bench/vs-summary.js';

function sample(
  contender: Contender,
  workload: string,
  phase: string,
  qd: number,
  value: number,
  round = 1,
): Sample {
  return { contender, round, workload, phase, qd, value, unit: 'ops/s', errors: 0 };
}

/** Every server measured once per workload, nfsgate at `factor` times Ganesha's rate. */
function allWorkloads(factor: (workload: string, qd: number, c: Contender) => number): Sample[] {
  const out: Sample[] = [];
  for (const c of ['nfsgate-async', 'nfsgate-sync', 'ganesha'] as const) {
    const f = (w: string, qd: number) => (c === 'ganesha' ? 1 : factor(w, qd, c));
    for (const qd of [1, 8, 32]) {
      out.push(sample(c, 'getattr', `qd${qd}`, qd, 1000 * f('getattr', qd)));
      out.push(sample(c, 'create', 'create', qd, 100 * f('create', qd)));
    }
    out.push(sample(c, 'read', 'seq', 8, 800 * f('read', 8)));
    out.push(sample(c, 'readdir', 'first', 1, 5000 * f('readdir', 1)));
  }
  return out;
}

const GOOD_MEMORY = new Map<Contender, Memory>([
  ['nfsgate-async', { rssAfterRound: [90, 92, 91], peakMiB: 100 }],
  ['nfsgate-sync', { rssAfterRound: [88, 90, 90], peakMiB: 95 }],
]);
const verdictOf = (samples: Sample[], target: RegExp, memory = GOOD_MEMORY, tcp = 1500) =>
  verdicts(rowsOf(samples), memory, tcp).find((v) => target.test(v.target))!;

describe('the nfsgate vs Ganesha summary', () => {
  it('gives each server the median of its rounds with their range, and the ratio of medians', () => {
    const rows = rowsOf([
      sample('nfsgate-async', 'getattr', 'qd1', 1, 300, 1),
      sample('nfsgate-async', 'getattr', 'qd1', 1, 100, 2),
      sample('nfsgate-async', 'getattr', 'qd1', 1, 200, 3),
      sample('ganesha', 'getattr', 'qd1', 1, 400, 1),
      sample('ganesha', 'getattr', 'qd1', 1, 100, 2),
      sample('ganesha', 'getattr', 'qd1', 1, 50, 3),
    ]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.label, 'GETATTR qd1');
    assert.deepEqual(rows[0]!.spreads.get('nfsgate-async'), {
      median: 200,
      min: 100,
      max: 300,
      runs: 3,
      errors: 0,
    });
    assert.equal(ratio(rows[0]!, 'nfsgate-async'), 2);
    assert.match(workloadTable(rows), /GETATTR qd1 +ops\/s +200 \[100-300\] +100 \[50\.00-400\] +2\.00/);
  });

  it('judges the async export at qd 1 and 32 and on READ and listings, not at qd 8', () => {
    const slowAtQd8 = allWorkloads((w, qd) => (qd === 8 && w !== 'read' ? 0.5 : 1.2));
    assert.equal(verdictOf(slowAtQd8, /^async/).holds, true);
    const slowFirstListing = allWorkloads((w) => (w === 'readdir' ? 0.9 : 1.2));
    const v = verdictOf(slowFirstListing, /^async/);
    assert.equal(v.holds, false);
    assert.match(v.detail, /1 of 6 below 1\.0: READDIRPLUS first listing 0\.90/);
  });

  it('judges the sync export from qd 8 up, READ included, not at qd 1 nor on the listing', () => {
    const slowAtQd1 = allWorkloads((w, qd, c) =>
      c === 'nfsgate-sync' && (qd === 1 || w === 'readdir') ? 0.3 : 1,
    );
    assert.equal(verdictOf(slowAtQd1, /^sync/).holds, true);
    const slowCreates = allWorkloads((w, qd, c) =>
      c === 'nfsgate-sync' && w === 'create' && qd === 32 ? 0.8 : 1,
    );
    assert.equal(verdictOf(slowCreates, /^sync/).holds, false);
  });

  it('does not pass a ratio target on a workload that had errors', () => {
    const samples = allWorkloads(() => 2).map((s) =>
      s.contender === 'nfsgate-async' && s.workload === 'read' ? { ...s, errors: 3 } : s,
    );
    const v = verdictOf(samples, /^async/);
    assert.equal(v.holds, false);
    assert.match(v.detail, /errors in READ/);
  });

  it('says the ratio targets were not measured without Ganesha, and still judges READ and memory', () => {
    const alone = allWorkloads(() => 1).filter((s) => s.contender !== 'ganesha');
    assert.equal(verdictOf(alone, /^async/).holds, undefined);
    assert.equal(verdictOf(alone, /^sync/).holds, undefined);
    assert.equal(verdictOf(alone, /^READ/).holds, true);
    assert.equal(verdictOf(alone, /RSS/).holds, true);
  });

  it('wants READ at half the loopback TCP ceiling or more', () => {
    const samples = allWorkloads(() => 1);
    assert.equal(verdictOf(samples, /^READ/, GOOD_MEMORY, 1600).holds, true);
    const v = verdictOf(samples, /^READ/, GOOD_MEMORY, 1601);
    assert.equal(v.holds, false);
    assert.match(v.detail, /nfsgate-async 800 MiB\/s \(50%\)/);
  });

  it('fails the memory target on a peak over 128 MiB, or resident memory growing round after round', () => {
    const samples = allWorkloads(() => 1);
    const peak = new Map(GOOD_MEMORY).set('nfsgate-sync', { rssAfterRound: [90, 90, 90], peakMiB: 129 });
    assert.equal(verdictOf(samples, /RSS/, peak).holds, false);
    const growing = new Map(GOOD_MEMORY).set('nfsgate-async', { rssAfterRound: [80, 85, 89], peakMiB: 95 });
    const v = verdictOf(samples, /RSS/, growing);
    assert.equal(v.holds, false);
    assert.match(v.detail, /nfsgate-async .*\(grew\)/);
  });
});
