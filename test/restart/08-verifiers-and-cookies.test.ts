import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Fh, handleOf, type Nfs3Client, ok } from '../helpers/nfs3-client.js';
import { Gateway, type Shutdown } from './helpers/gateway.js';

const ENTRIES = 300;
const SMALL_PAGE = 1024;
const UNSTABLE = 0;

interface Page {
  readonly names: string[];
  readonly cookie: bigint;
  readonly cookieverf: Buffer;
  readonly eof: boolean;
}

async function readdirPage(
  c: Nfs3Client,
  dir: Fh,
  cookie: bigint,
  verf: Buffer,
  plus: boolean,
): Promise<Page> {
  const skipDots = (n: string) => n !== '.' && n !== '..';
  if (plus) {
    const r = ok(
      await c.readdirplus(dir, cookie, verf, SMALL_PAGE, SMALL_PAGE * 4),
      `READDIRPLUS at ${cookie}`,
    ).resok;
    const last = r.reply.entries.at(-1);
    return {
      names: r.reply.entries.map((e) => e.name.toString()).filter(skipDots),
      cookie: last ? last.cookie : cookie,
      cookieverf: r.cookieverf,
      eof: r.reply.eof,
    };
  }
  const r = ok(await c.readdir(dir, cookie, verf, SMALL_PAGE), `READDIR at ${cookie}`).resok;
  const last = r.reply.entries.at(-1);
  return {
    names: r.reply.entries.map((e) => e.name.toString()).filter(skipDots),
    cookie: last ? last.cookie : cookie,
    cookieverf: r.cookieverf,
    eof: r.reply.eof,
  };
}

describe('verifiers and cookies across restarts', () => {
  let gw: Gateway;
  let file: Fh;
  let dir: Fh;
  let expected: string[];

  before(async () => {
    gw = await Gateway.start();
    file = await gw.client.writeFile(gw.root, 'data.bin', Buffer.alloc(0));
    dir = handleOf(ok(await gw.client.mkdir(gw.root, 'big'), 'MKDIR').resok.obj);
    expected = [];
    for (let i = 0; i < ENTRIES; i++) {
      const name = `entry-${String(i).padStart(4, '0')}-with-a-name-long-enough-to-fill-pages`;
      ok(await gw.client.create(dir, name), `CREATE ${name}`);
      expected.push(name);
    }
    expected.sort();
  });

  after(async () => {
    await gw?.close();
  });

  async function verifiers(): Promise<{ write: string; commit: string }> {
    const w = ok(
      await gw.client.write(file, 0, Buffer.from('unstable bytes'), UNSTABLE),
      'WRITE UNSTABLE',
    ).resok;
    const c = ok(await gw.client.commit(file), 'COMMIT').resok;
    assert.deepEqual(c.verf, w.verf, 'WRITE and COMMIT of one server instance return the same verifier');
    return { write: w.verf.toString('hex'), commit: c.verf.toString('hex') };
  }

  it('changes the write verifier on every start, clean or after kill -9', async () => {
    const seen = [await verifiers()];
    assert.deepEqual(await verifiers(), seen[0], 'the verifier is stable while the server runs');
    for (const how of ['sigterm', 'kill9', 'sigterm', 'kill9'] as Shutdown[]) {
      await gw.restart(how);
      const v = await verifiers();
      for (const earlier of seen)
        assert.notEqual(v.write, earlier.write, `the verifier after a ${how} restart is new`);
      seen.push(v);
    }
  });

  for (const plus of [false, true]) {
    const proc = plus ? 'READDIRPLUS' : 'READDIR';
    for (const how of ['sigterm', 'kill9'] as Shutdown[]) {
      it(`continues a ${proc} listing from a cookie taken before a ${how} restart, without skips or repeats`, async () => {
        const whole = (await gw.client.listAll(dir, { plus, count: SMALL_PAGE })).entries.map((e) => e.name);
        assert.deepEqual([...whole].sort(), expected, 'the full listing before the restart');
        assert.ok(whole.length === new Set(whole).size);
        const seen: string[] = [];
        let page = await readdirPage(gw.client, dir, 0n, Buffer.alloc(8), plus);
        seen.push(...page.names);
        page = await readdirPage(gw.client, dir, page.cookie, page.cookieverf, plus);
        seen.push(...page.names);
        assert.ok(
          !page.eof && seen.length > 0 && seen.length < ENTRIES / 2,
          `two pages are part of the listing (${seen.length})`,
        );
        await gw.restart(how);
        let cookie = page.cookie;
        let verf = page.cookieverf;
        for (let pages = 0; !page.eof; pages++) {
          assert.ok(pages < ENTRIES, 'the listing ends');
          page = await readdirPage(gw.client, dir, cookie, verf, plus);
          seen.push(...page.names);
          cookie = page.cookie;
          verf = page.cookieverf;
        }
        assert.deepEqual(seen, whole, 'the listing resumed exactly where it stopped, in the same order');
      });
    }
  }
});
