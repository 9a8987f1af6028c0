import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Mounted, serveAndMount } from '../helpers/mounted.js';
import { ok } from '../helpers/nfs3-client.js';

const MNT3ERR_ACCES = 13;

describe('MNT of a path through symlinks', () => {
  let m: Mounted;
  const fileidOf = async (fh: Buffer) => ok(await m.client.getattr(fh)).resok.obj_attributes.fileid;

  before(async () => {
    m = await serveAndMount({ options: 'rw,no_root_squash' });
    const e = m.server.exportDir;
    mkdirSync(join(e, 'real', 'sub'), { recursive: true });
    symlinkSync('real', join(e, 'alias'));
    symlinkSync(join(e, 'real'), join(e, 'absolute'));
    symlinkSync('../real/sub', join(e, 'real', 'up-and-over'));
    symlinkSync('..', join(e, 'to-parent'));
    symlinkSync('../outside', join(e, 'escape'));
    symlinkSync(m.server.outsideDir, join(e, 'escape-absolute'));
    symlinkSync('loop-b', join(e, 'loop-a'));
    symlinkSync('loop-a', join(e, 'loop-b'));
  });
  after(async () => {
    await m?.close();
  });

  it('follows a symlink that stays inside the export, relative or absolute', async () => {
    const real = await fileidOf(await m.client.mount(`${m.server.name}/real`));
    assert.equal(await fileidOf(await m.client.mount(`${m.server.name}/alias`)), real);
    assert.equal(await fileidOf(await m.client.mount(`${m.server.name}/absolute`)), real);
    const sub = await fileidOf(await m.client.mount(`${m.server.name}/real/sub`));
    assert.equal(await fileidOf(await m.client.mount(`${m.server.name}/alias/sub`)), sub);
    assert.equal(await fileidOf(await m.client.mount(`${m.server.name}/real/up-and-over`)), sub);
  });

  it('refuses, with a log line saying why, a symlink that leads outside the export', async () => {
    for (const path of ['escape', 'escape-absolute', 'to-parent', 'alias/../../escape']) {
      const res = await m.client.mountCall(`${m.server.name}/${path}`);
      assert.equal(res.fhs_status, MNT3ERR_ACCES, path);
    }
    const refused = m.server
      .logLines()
      .filter((l) => l.msg === 'mount refused' && l.why === 'symlink leads outside the export');
    assert.ok(refused.length >= 3, JSON.stringify(refused));
  });

  it('refuses a symlink loop', async () => {
    assert.equal((await m.client.mountCall(`${m.server.name}/loop-a`)).fhs_status, MNT3ERR_ACCES);
  });
});
