import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatUniversalAddress,
  ownRegistrations,
  parseUniversalAddress,
  portmapPrograms,
  RegistrationTable,
} from '../../../src/portmap/index.js';
import type { CallContext, ProgramVersion } from '../../../src/rpc/types.js';

const TCP = 6;
const UDP = 17;

function ctx(address = '127.0.0.1', port = 700, transport: 'tcp' | 'udp' = 'tcp'): CallContext {
  return {
    xid: 1,
    prog: 100000,
    vers: 2,
    proc: 0,
    auth: { flavor: 0 },
    peer: { transport, address, port },
    connectionId: 1,
  };
}

function call(program: ProgramVersion, proc: number, c: CallContext, args?: unknown): unknown {
  const handler = program.procedures.get(proc);
  assert.ok(handler, `procedure ${proc} is implemented`);
  return handler.handle(c, args);
}

function rpcb(prog: number, vers: number, netid: string, addr = '', owner = '') {
  return {
    r_prog: prog,
    r_vers: vers,
    r_netid: Buffer.from(netid),
    r_addr: Buffer.from(addr),
    r_owner: Buffer.from(owner),
  };
}

function tableWithNfs(): RegistrationTable {
  const table = new RegistrationTable();
  for (const r of ownRegistrations('127.0.0.1', { tcp: 2049, udp: 2049 }, [{ prog: 100003, vers: 3 }]))
    table.set(r);
  return table;
}

describe('universal addresses', () => {
  it('write the port as two decimal bytes after the host', () => {
    assert.equal(formatUniversalAddress('127.0.0.1', 2049), '127.0.0.1.8.1');
    assert.equal(formatUniversalAddress('::1', 111), '::1.0.111');
    assert.deepEqual(parseUniversalAddress('10.1.2.3.8.1'), { host: '10.1.2.3', port: 2049 });
    assert.deepEqual(parseUniversalAddress('fe80::1.0.111'), { host: 'fe80::1', port: 111 });
    assert.equal(parseUniversalAddress('10.1.2.3.256.1'), undefined);
    assert.equal(parseUniversalAddress('nonsense'), undefined);
  });
});

describe('the registration table', () => {
  it('refuses a second registration of the same program, version and transport', () => {
    const table = tableWithNfs();
    assert.equal(table.setMapping({ prog: 100003, vers: 3, prot: TCP, port: 999 }, 'x'), false);
    assert.equal(table.getPort({ prog: 100003, vers: 3, prot: TCP, port: 0 }), 2049);
  });

  it('answers GETPORT with the exact version, else another version of the program, else 0', () => {
    const table = tableWithNfs();
    assert.equal(table.getPort({ prog: 100003, vers: 3, prot: UDP, port: 0 }), 2049);
    assert.equal(table.getPort({ prog: 100003, vers: 4, prot: TCP, port: 0 }), 2049);
    assert.equal(table.getPort({ prog: 100005, vers: 3, prot: TCP, port: 0 }), 0);
    assert.equal(table.getPort({ prog: 100003, vers: 3, prot: 99, port: 0 }), 0);
  });

  it('UNSETs a portmap mapping on both TCP and UDP, ignoring protocol and port', () => {
    const table = tableWithNfs();
    assert.equal(table.unsetMapping({ prog: 100003, vers: 3, prot: 0, port: 0 }), true);
    assert.deepEqual(table.mappings(), []);
    assert.equal(table.unsetMapping({ prog: 100003, vers: 3, prot: 0, port: 0 }), false);
  });

  it('leaves IPv6 registrations out of the portmap v2 DUMP', () => {
    const table = new RegistrationTable();
    for (const r of ownRegistrations('::1', { tcp: 2049 }, [{ prog: 100003, vers: 3 }])) table.set(r);
    assert.equal(table.list()[0]!.netid, 'tcp6');
    assert.deepEqual(table.mappings(), []);
  });
});

describe('the portmapper programs', () => {
  const programs = (table: RegistrationTable) => {
    const [v2, v3, v4] = portmapPrograms(table, { now: () => 1234 });
    return { v2: v2!, v3: v3!, v4: v4! };
  };

  it('serve PMAP version 2 and rpcbind versions 3 and 4 of program 100000', () => {
    const { v2, v3, v4 } = programs(new RegistrationTable());
    assert.deepEqual([v2.prog, v2.vers, v3.vers, v4.vers], [100000, 2, 3, 4]);
    assert.deepEqual([...v2.procedures.keys()].sort(), [0, 1, 2, 3, 4], 'CALLIT is left out (PROC_UNAVAIL)');
    assert.equal(v4.procedures.has(5), false, 'BCAST is not forwarded');
    assert.equal(v4.procedures.has(10), false, 'INDIRECT is not forwarded');
  });

  it('let a local caller on a privileged port SET and UNSET through PMAP v2', () => {
    const table = new RegistrationTable();
    const { v2 } = programs(table);
    assert.equal(call(v2, 1, ctx('127.0.0.1', 1000), { prog: 100021, vers: 4, prot: TCP, port: 4045 }), true);
    assert.equal(call(v2, 3, ctx('10.9.9.9', 40000), { prog: 100021, vers: 4, prot: TCP, port: 0 }), 4045);
    assert.equal(
      call(v2, 2, ctx('::ffff:127.0.0.1', 1000), { prog: 100021, vers: 4, prot: TCP, port: 0 }),
      true,
    );
    assert.deepEqual(call(v2, 4, ctx()), []);
  });

  it('refuse SET and UNSET from other hosts and from unprivileged ports', () => {
    const table = tableWithNfs();
    const { v2, v4 } = programs(table);
    const m = { prog: 100021, vers: 4, prot: TCP, port: 4045 };
    assert.equal(call(v2, 1, ctx('10.0.0.5', 700), m), false);
    assert.equal(call(v2, 1, ctx('127.0.0.1', 40000), m), false);
    assert.equal(call(v4, 1, ctx('10.0.0.5', 700), rpcb(100021, 4, 'tcp', '0.0.0.0.15.205')), false);
    assert.equal(call(v2, 2, ctx('10.0.0.5', 700), { prog: 100003, vers: 3, prot: TCP, port: 0 }), false);
    assert.equal(call(v4, 2, ctx('127.0.0.1', 40000), rpcb(100003, 3, '')), false);
    assert.equal(table.list().length, 2, 'nothing changed');
  });

  it('answer GETADDR with the universal address, and the empty string when not registered', () => {
    const { v3, v4 } = programs(tableWithNfs());
    for (const v of [v3, v4]) {
      assert.equal(String(call(v, 3, ctx(), rpcb(100003, 3, 'tcp'))), '127.0.0.1.8.1');
      assert.equal(String(call(v, 3, ctx(), rpcb(100005, 3, 'tcp'))), '');
    }
    assert.equal(
      String(call(v4, 3, ctx('127.0.0.1', 900, 'udp'), rpcb(100003, 3, ''))),
      '127.0.0.1.8.1',
      'netid of the call',
    );
  });

  it('point GETADDR for another version at the program, but GETVERSADDR only at the exact version', () => {
    const { v4 } = programs(tableWithNfs());
    assert.equal(String(call(v4, 3, ctx(), rpcb(100003, 4, 'tcp'))), '127.0.0.1.8.1');
    assert.equal(String(call(v4, 9, ctx(), rpcb(100003, 4, 'tcp'))), '');
    assert.equal(String(call(v4, 9, ctx(), rpcb(100003, 3, 'tcp'))), '127.0.0.1.8.1');
  });

  it('turn a wildcard registration into the address the call arrived on', () => {
    const table = new RegistrationTable();
    for (const r of ownRegistrations('0.0.0.0', { tcp: 2049 }, [{ prog: 100003, vers: 3 }])) table.set(r);
    const [, , v4] = portmapPrograms(table, { localAddressOf: () => '192.0.2.7' });
    assert.equal(String(call(v4!, 3, ctx('192.0.2.99'), rpcb(100003, 3, 'tcp'))), '192.0.2.7.8.1');
    const [, , plain] = portmapPrograms(table);
    assert.equal(String(call(plain!, 3, ctx('::ffff:127.0.0.1'), rpcb(100003, 3, 'tcp'))), '127.0.0.1.8.1');
  });

  it('register and unregister through rpcbind SET/UNSET, an empty netid meaning every transport', () => {
    const table = new RegistrationTable();
    const { v4 } = programs(table);
    assert.equal(call(v4, 1, ctx(), rpcb(100024, 1, 'udp', '127.0.0.1.3.255', 'superuser')), true);
    assert.equal(call(v4, 1, ctx(), rpcb(100024, 1, 'tcp', '127.0.0.1.3.255', 'superuser')), true);
    assert.equal(call(v4, 1, ctx(), rpcb(100024, 1, 'tcp', 'not an address')), false);
    assert.equal(table.list().length, 2);
    assert.equal(call(v4, 2, ctx(), rpcb(100024, 1, '')), true);
    assert.deepEqual(table.list(), []);
  });

  it('DUMP every registration in both forms, and tell the time', () => {
    const { v2, v3 } = programs(tableWithNfs());
    assert.deepEqual(call(v2, 4, ctx()), [
      { map: { prog: 100003, vers: 3, prot: TCP, port: 2049 } },
      { map: { prog: 100003, vers: 3, prot: UDP, port: 2049 } },
    ]);
    const dump = call(v3, 4, ctx()) as { rpcb_map: ReturnType<typeof rpcb> }[];
    assert.deepEqual(
      dump.map(
        (d) => `${d.rpcb_map.r_prog} ${d.rpcb_map.r_netid} ${d.rpcb_map.r_addr} ${d.rpcb_map.r_owner}`,
      ),
      ['100003 tcp 127.0.0.1.8.1 superuser', '100003 udp 127.0.0.1.8.1 superuser'],
    );
    assert.equal(call(v3, 6, ctx()), 1234);
  });
});
