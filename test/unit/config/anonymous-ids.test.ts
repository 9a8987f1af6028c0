import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions } from '../../../src/config/export-options.js';

describe('anonuid and anongid', () => {
  it('accept any id a file can be owned by', () => {
    const r = parseOptions('anonuid=4294967294,anongid=0');
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([r.client.anonuid, r.client.anongid], [4294967294, 0]);
  });

  it('refuse 4294967295, which chown(2) reads as "leave the owner unchanged"', () => {
    for (const key of ['anonuid', 'anongid']) {
      const r = parseOptions(`rw,${key}=4294967295`);
      assert.equal(r.ok, false, key);
      assert.match(
        r.ok ? '' : r.messages.join('\n'),
        new RegExp(`option "${key}" needs a number from 0 to 4294967294`),
      );
    }
  });
});
