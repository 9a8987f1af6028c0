import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateAll } from '../../../src/xdr/generator/main.js';
import { repoRoot } from '../../helpers/repo.js';

describe('generated XDR codecs', () => {
  it('are exactly what the generator makes from xdr/*.x today (run `npm run gen` after editing a .x file)', () => {
    const root = repoRoot();
    const fresh = generateAll(join(root, 'xdr'));
    const committedDir = join(root, 'src/xdr/generated');
    const committed = readdirSync(committedDir).filter((f) => f.endsWith('.ts'));
    assert.deepEqual(
      committed.sort(),
      [...fresh.keys()].sort(),
      'one generated module per .x file, no leftovers',
    );
    for (const [name, text] of fresh) {
      assert.equal(
        readFileSync(join(committedDir, name), 'utf8'),
        text,
        `src/xdr/generated/${name} is stale`,
      );
    }
  });
});
