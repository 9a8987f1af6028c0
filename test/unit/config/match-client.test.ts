import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeProblems,
  type ExportConfig,
  matchClient,
  parseExportsFile,
  resolveHostNames,
} from '../../../src/config/index.js';

function exportOf(line: string): ExportConfig {
  const r = parseExportsFile(`${line}\n`);
  if (!r.ok) assert.fail(describeProblems(r.problems));
  return r.value.exports[0]!;
}

describe('matchClient', () => {
  it('matches a single IPv4 host exactly', () => {
    const e = exportOf('/srv 192.168.1.5(rw)');
    assert.equal(matchClient(e, '192.168.1.5')?.access, 'rw');
    assert.equal(matchClient(e, '192.168.1.6'), undefined);
  });

  it('matches IPv4 CIDR networks by prefix, including /0 and /32', () => {
    const e = exportOf('/srv 10.0.0.0/8(rw) 127.0.0.1/32(ro)');
    assert.equal(matchClient(e, '10.255.3.4')?.access, 'rw');
    assert.equal(matchClient(e, '11.0.0.1'), undefined);
    assert.equal(matchClient(e, '127.0.0.1')?.access, 'ro');
    assert.equal(matchClient(e, '127.0.0.2'), undefined);
    assert.equal(matchClient(exportOf('/srv 0.0.0.0/0(rw)'), '203.0.113.9')?.access, 'rw');
  });

  it('accepts a dotted netmask as well as a prefix length', () => {
    const e = exportOf('/srv 172.16.0.0/255.240.0.0(rw)');
    assert.equal(matchClient(e, '172.31.255.255')?.access, 'rw');
    assert.equal(matchClient(e, '172.32.0.0'), undefined);
  });

  it('matches IPv6 hosts and networks', () => {
    const e = exportOf('/srv ::1/128(rw) 2001:db8::/32(ro)');
    assert.equal(matchClient(e, '::1')?.access, 'rw');
    assert.equal(matchClient(e, '0:0:0:0:0:0:0:1')?.access, 'rw');
    assert.equal(matchClient(e, '2001:db8:ffff::42')?.access, 'ro');
    assert.equal(matchClient(e, '2001:db9::1'), undefined);
  });

  it('matches IPv4-mapped IPv6 addresses (as Node reports them) against IPv4 specifications', () => {
    const e = exportOf('/srv 127.0.0.1(rw) 10.0.0.0/8(ro)');
    assert.equal(matchClient(e, '::ffff:127.0.0.1')?.access, 'rw');
    assert.equal(matchClient(e, '::ffff:10.1.2.3')?.access, 'ro');
    assert.equal(matchClient(e, '::ffff:11.1.2.3'), undefined);
  });

  it('does not let an IPv6 specification match an IPv4 client or the reverse', () => {
    assert.equal(matchClient(exportOf('/srv ::/0(rw)'), '127.0.0.1'), undefined);
    assert.equal(matchClient(exportOf('/srv 0.0.0.0/0(rw)'), '::1'), undefined);
  });

  it('lets the wildcard match everyone', () => {
    const e = exportOf('/srv *(ro)');
    assert.equal(matchClient(e, '198.51.100.1')?.access, 'ro');
    assert.equal(matchClient(e, 'fe80::1')?.access, 'ro');
  });

  it('uses the first matching entry, as exports(5) does', () => {
    const e = exportOf('/srv 10.0.0.0/8(rw) *(ro) 10.1.1.1(rw,no_root_squash)');
    assert.equal(matchClient(e, '10.1.1.1')?.squash, 'root_squash');
    assert.equal(matchClient(e, '10.1.1.1')?.access, 'rw');
    assert.equal(matchClient(e, '192.0.2.1')?.access, 'ro');
  });

  it('matches nobody for a host name until it is resolved, then its addresses', async () => {
    const e = exportOf('/srv localhost(rw) *(ro)');
    assert.equal(matchClient(e, '127.0.0.1')?.access, 'ro');
    const { config, unresolved } = await resolveHostNames({ exports: [e] }, async () => ['127.0.0.1', '::1']);
    assert.deepEqual(unresolved, []);
    const resolved = config.exports[0]!;
    assert.equal(matchClient(resolved, '127.0.0.1')?.access, 'rw');
    assert.equal(matchClient(resolved, '::ffff:127.0.0.1')?.access, 'rw');
    assert.equal(matchClient(resolved, '::1')?.access, 'rw');
    assert.equal(matchClient(resolved, '127.0.0.2')?.access, 'ro');
  });

  it('resolves localhost through the system resolver (no DNS needed)', async () => {
    const { config } = await resolveHostNames({ exports: [exportOf('/srv localhost(rw)')] });
    assert.equal(matchClient(config.exports[0]!, '127.0.0.1')?.access, 'rw');
  });

  it('reports names that do not resolve, which then match nobody', async () => {
    const { config, unresolved } = await resolveHostNames(
      { exports: [exportOf('/srv nosuchhost(rw)')] },
      async () => {
        throw new Error('ENOTFOUND');
      },
    );
    assert.deepEqual(unresolved, ['nosuchhost']);
    assert.equal(matchClient(config.exports[0]!, '127.0.0.1'), undefined);
  });

  it('matches nobody for something that is not an address', () => {
    assert.equal(matchClient(exportOf('/srv *(rw)'), 'not-an-ip'), undefined);
  });
});
