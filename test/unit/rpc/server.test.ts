import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RpcCallError, RpcClient, type RpcFailure } from '../../../src/rpc/client.js';
import { RpcServer } from '../../../src/rpc/server.js';
import type { CallOutcome } from '../../../src/rpc/types.js';
import { capturingLogger, ECHO_PROCEDURES, ECHO_PROG, EchoState, echoProgram } from './echo-program.js';
import { authSysBody, encodeCall, framed, hex, opaqueArg, RawConnection, uintArg } from './wire.js';

async function failure(p: Promise<unknown>): Promise<RpcFailure> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RpcCallError, `expected RpcCallError, got ${e}`);
    return e.failure;
  }
  assert.fail('call succeeded');
}

describe('RpcServer over TCP', () => {
  const state = new EchoState();
  const log = capturingLogger();
  const done: { name: string; outcome: CallOutcome }[] = [];
  const server = new RpcServer({
    logger: log.logger,
    onCallDone: (_c, name, _ms, outcome) => done.push({ name, outcome }),
  });
  server.register(echoProgram(1, state));
  server.register(echoProgram(3, state));
  let port = 0;
  let client: RpcClient;

  before(async () => {
    port = await server.listenTcp('127.0.0.1', 0);
    client = await RpcClient.connect({ host: '127.0.0.1', port });
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  describe('golden bytes', () => {
    it('answers a NULL call with the 24-byte accepted SUCCESS reply, byte for byte', async () => {
      const c = await RawConnection.connect(port);
      c.send(
        hex(
          '80000028 12345678 00000000 00000002 20000099 00000001 00000000 00000000 00000000 00000000 00000000',
        ),
      );
      const [reply] = await c.waitForReplies(1);
      assert.deepEqual(reply, hex('12345678 00000001 00000000 00000000 00000000 00000000'));
      c.close();
    });

    it('answers an unregistered version with PROG_MISMATCH carrying the lowest and highest versions', async () => {
      const c = await RawConnection.connect(port);
      c.send(
        hex(
          '80000028 0000abcd 00000000 00000002 20000099 00000002 00000000 00000000 00000000 00000000 00000000',
        ),
      );
      const [reply] = await c.waitForReplies(1);
      assert.deepEqual(reply, hex('0000abcd 00000001 00000000 00000000 00000000 00000002 00000001 00000003'));
      c.close();
    });

    it('answers rpcvers 3 with MSG_DENIED RPC_MISMATCH low 2 high 2', async () => {
      const c = await RawConnection.connect(port);
      c.send(framed(encodeCall({ xid: 0x99, prog: ECHO_PROG, vers: 1, proc: 0, rpcvers: 3 })));
      const [reply] = await c.waitForReplies(1);
      assert.deepEqual(reply, hex('00000099 00000001 00000001 00000000 00000002 00000002'));
      c.close();
    });
  });

  describe('accepted replies', () => {
    it('runs a procedure and returns its result', async () => {
      const out = await client.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_ECHO, Buffer.from('ping'));
      assert.equal(out.toString(), 'ping');
    });

    it('answers an unknown program with PROG_UNAVAIL', async () => {
      assert.deepEqual(await failure(client.callRaw(0x20000098, 1, 0, Buffer.alloc(0))), {
        kind: 'PROG_UNAVAIL',
      });
    });

    it('answers an unknown procedure with PROC_UNAVAIL', async () => {
      assert.deepEqual(await failure(client.callRaw(ECHO_PROG, 1, 99, Buffer.alloc(0))), {
        kind: 'PROC_UNAVAIL',
      });
    });

    it('answers arguments that do not decode with GARBAGE_ARGS', async () => {
      const truncated = opaqueArg(Buffer.from('hello world')).subarray(0, 8);
      assert.deepEqual(await failure(client.callRaw(ECHO_PROG, 1, 1, truncated)), { kind: 'GARBAGE_ARGS' });
      assert.deepEqual(done.at(-1), { name: 'ECHOPROC_ECHO', outcome: 'garbage-args' });
    });

    it('accepts trailing bytes after the arguments, as most servers do', async () => {
      const args = Buffer.concat([opaqueArg(Buffer.from('ok')), Buffer.alloc(8)]);
      const results = await client.callRaw(ECHO_PROG, 1, 1, args);
      assert.deepEqual(results, opaqueArg(Buffer.from('ok')));
    });

    it('answers a handler that throws with SYSTEM_ERR and logs the stack', async () => {
      assert.deepEqual(await failure(client.callRaw(ECHO_PROG, 1, 4, Buffer.alloc(0))), {
        kind: 'SYSTEM_ERR',
      });
      const entry = log.lines().find((l) => l.msg === 'procedure failed' && l.procedure === 'ECHOPROC_THROW');
      assert.ok(entry, 'an error line');
      assert.equal(entry.level, 50);
      assert.match(String((entry.err as { stack: string }).stack), /handler bug for the test/);
      assert.deepEqual(done.at(-1), { name: 'ECHOPROC_THROW', outcome: 'system-err' });
    });

    it('answers a result its encoder refuses with SYSTEM_ERR, and keeps serving', async () => {
      assert.deepEqual(await failure(client.callRaw(ECHO_PROG, 1, 8, Buffer.alloc(0))), {
        kind: 'SYSTEM_ERR',
      });
      const out = await client.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_ECHO, Buffer.from('after'));
      assert.equal(out.toString(), 'after');
    });

    it('reports each call to the metrics hook with the procedure name and outcome', async () => {
      await client.call(ECHO_PROG, 3, ECHO_PROCEDURES.ECHOPROC_NULL, undefined);
      assert.deepEqual(done.at(-1), { name: 'ECHOPROC_NULL', outcome: 'success' });
    });
  });

  describe('authentication', () => {
    const whoami = (c: RpcClient) => c.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_WHOAMI, undefined);

    it('hands AUTH_SYS credentials to the handler', async () => {
      const auth = {
        flavor: 1 as const,
        stamp: 1,
        machinename: Buffer.from('client.example'),
        uid: 1000,
        gid: 100,
        gids: [1, 2, 3],
      };
      const me = await client.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_WHOAMI, undefined, { auth });
      assert.deepEqual(
        { ...me, machinename: me.machinename.toString() },
        { flavor: 1, uid: 1000, gids: 3, machinename: 'client.example' },
      );
      assert.equal((await whoami(client)).flavor, 0, 'AUTH_NONE without credentials');
    });

    async function authReply(
      cred: { flavor: number; body: Buffer },
      verf?: { flavor: number; body: Buffer },
    ): Promise<Buffer> {
      const c = await RawConnection.connect(port);
      c.send(framed(encodeCall({ xid: 5, prog: ECHO_PROG, vers: 1, proc: 6, cred, verf })));
      const [reply] = await c.waitForReplies(1);
      c.close();
      return reply!;
    }
    const denied = (why: number) =>
      hex(`00000005 00000001 00000001 00000001 ${why.toString(16).padStart(8, '0')}`);

    it('refuses AUTH_SYS with 17 groups with AUTH_BADCRED', async () => {
      const body = authSysBody({
        machinename: 'h',
        uid: 1,
        gid: 1,
        gids: Array.from({ length: 17 }, (_, i) => i),
      });
      assert.deepEqual(await authReply({ flavor: 1, body }), denied(1));
    });

    it('refuses AUTH_SYS with a machine name over 255 bytes with AUTH_BADCRED', async () => {
      const body = authSysBody({ machinename: 'm'.repeat(256), uid: 1, gid: 1, gids: [] });
      assert.deepEqual(await authReply({ flavor: 1, body }), denied(1));
    });

    it('refuses a truncated or overlong AUTH_SYS body with AUTH_BADCRED', async () => {
      const body = authSysBody({ machinename: 'host', uid: 1, gid: 1, gids: [4] });
      assert.deepEqual(await authReply({ flavor: 1, body: body.subarray(0, body.length - 4) }), denied(1));
      assert.deepEqual(
        await authReply({ flavor: 1, body: Buffer.concat([body, Buffer.alloc(4)]) }),
        denied(1),
      );
    });

    it('refuses unsupported flavors (AUTH_DH, RPCSEC_GSS, unassigned) with AUTH_BADCRED', async () => {
      for (const flavor of [3, 6, 390004, 0xffffffff]) {
        assert.deepEqual(await authReply({ flavor, body: Buffer.alloc(8) }), denied(1), `flavor ${flavor}`);
      }
    });

    it('refuses AUTH_SHORT with AUTH_REJECTEDCRED so the client falls back to AUTH_SYS', async () => {
      assert.deepEqual(await authReply({ flavor: 2, body: Buffer.alloc(8) }), denied(2));
    });

    it('refuses a verifier other than AUTH_NONE with AUTH_BADVERF', async () => {
      assert.deepEqual(
        await authReply({ flavor: 0, body: Buffer.alloc(0) }, { flavor: 1, body: Buffer.alloc(4) }),
        denied(3),
      );
    });

    it('maps a handler denial to MSG_DENIED AUTH_ERROR', async () => {
      assert.deepEqual(await failure(client.callRaw(ECHO_PROG, 1, 5, Buffer.alloc(0))), {
        kind: 'AUTH_ERROR',
        why: 5,
      });
    });
  });

  describe('broken streams', () => {
    it('closes the connection on a REPLY message', async () => {
      const c = await RawConnection.connect(port);
      c.send(framed(hex('00000001 00000001 00000000 00000000 00000000 00000000')));
      await c.closed;
      assert.equal(c.replies.length, 0);
    });

    it('closes the connection on a record too short to hold an xid', async () => {
      const c = await RawConnection.connect(port);
      c.send(framed(hex('0102')));
      await c.closed;
    });

    it('closes the connection as soon as a record header announces more than the limit', async () => {
      const c = await RawConnection.connect(port);
      c.send(hex('80110001'));
      await c.closed;
      assert.ok(
        log.lines().some((l) => l.msg === 'closing connection: bad record' && l.kind === 'too-large'),
      );
    });

    it('reassembles calls sent as several fragments', async () => {
      const c = await RawConnection.connect(port);
      const call = encodeCall({
        xid: 77,
        prog: ECHO_PROG,
        vers: 1,
        proc: 1,
        args: opaqueArg(Buffer.from('fragmented!')),
      });
      c.send(framed(call, [3, 10, 20]));
      const [reply] = await c.waitForReplies(1);
      assert.deepEqual(reply!.subarray(24), opaqueArg(Buffer.from('fragmented!')));
      c.close();
    });

    it('accepts a call of 1 MiB of data (the default limit leaves room for headers)', async () => {
      const big = Buffer.alloc(1024 * 1024, 7);
      const out = await client.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_ECHO, big);
      assert.ok(out.equals(big));
    });
  });

  describe('concurrency', () => {
    it('sends replies in completion order: a fast call overtakes a slow one on the same connection', async () => {
      const c = await RawConnection.connect(port);
      c.send(framed(encodeCall({ xid: 1, prog: ECHO_PROG, vers: 1, proc: 2, args: uintArg(300) })));
      c.send(framed(encodeCall({ xid: 2, prog: ECHO_PROG, vers: 1, proc: 0 })));
      const replies = await c.waitForReplies(2);
      assert.deepEqual(
        replies.map((r) => r.readUInt32BE(0)),
        [2, 1],
      );
      c.close();
    });

    it('stops reading a connection with maxInFlight calls running, and resumes when they finish', async () => {
      const gated = new EchoState();
      const s = new RpcServer({ logger: log.logger, maxInFlightPerConnection: 4 });
      s.register(echoProgram(1, gated));
      const p = await s.listenTcp('127.0.0.1', 0);
      const c = await RawConnection.connect(p);
      const calls: Buffer[] = [];
      for (let xid = 1; xid <= 10; xid++)
        calls.push(framed(encodeCall({ xid, prog: ECHO_PROG, vers: 1, proc: 7 })));
      c.send(Buffer.concat(calls));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(gated.gateWaiting, 4, 'only four calls taken');
      assert.equal(s.stats().inFlight, 4);
      gated.openGate();
      await new Promise((r) => setTimeout(r, 50));
      gated.openGate();
      await new Promise((r) => setTimeout(r, 50));
      gated.openGate();
      const replies = await c.waitForReplies(10);
      assert.equal(replies.length, 10);
      assert.equal(s.stats().inFlight, 0);
      c.close();
      await s.close();
    });

    it('matches many concurrent calls to their replies by xid', async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          client.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_ECHO, Buffer.from(`n${i}`)),
        ),
      );
      assert.deepEqual(
        results.map((b) => b.toString()),
        Array.from({ length: 200 }, (_, i) => `n${i}`),
      );
    });
  });

  describe('duplicate request cache', () => {
    it('answers a retried non-idempotent call from a new connection with the first reply, running it once', async () => {
      const call = framed(
        encodeCall({ xid: 4242, prog: ECHO_PROG, vers: 1, proc: 3, args: opaqueArg(Buffer.from('file-a')) }),
      );
      const before = state.removeCalls;
      const a = await RawConnection.connect(port);
      a.send(call);
      const [first] = await a.waitForReplies(1);
      a.close();
      const b = await RawConnection.connect(port);
      b.send(call);
      const [retry] = await b.waitForReplies(1);
      b.close();
      assert.deepEqual(first!.subarray(24), opaqueArg(Buffer.from([0])), 'first removal succeeded');
      assert.deepEqual(retry, first, 'same bytes, not "no such file"');
      assert.equal(state.removeCalls - before, 1);
      assert.deepEqual(done.at(-1), { name: 'ECHOPROC_REMOVE', outcome: 'replayed' });
    });

    it('makes a retransmission that arrives during the first execution wait for its reply', async () => {
      state.removeDelayMs = 150;
      const call = framed(
        encodeCall({ xid: 4343, prog: ECHO_PROG, vers: 1, proc: 3, args: opaqueArg(Buffer.from('file-b')) }),
      );
      const before = state.removeCalls;
      const c = await RawConnection.connect(port);
      c.send(call);
      await new Promise((r) => setTimeout(r, 30));
      c.send(call);
      const replies = await c.waitForReplies(2);
      state.removeDelayMs = 0;
      assert.deepEqual(replies[0], replies[1]);
      assert.deepEqual(replies[0]!.subarray(24), opaqueArg(Buffer.from([0])));
      assert.equal(state.removeCalls - before, 1);
      c.close();
    });

    it('runs a new call with a reused xid but different arguments', async () => {
      const before = state.removeCalls;
      const c = await RawConnection.connect(port);
      c.send(
        framed(
          encodeCall({
            xid: 4242,
            prog: ECHO_PROG,
            vers: 1,
            proc: 3,
            args: opaqueArg(Buffer.from('file-c')),
          }),
        ),
      );
      await c.waitForReplies(1);
      assert.equal(state.removeCalls - before, 1);
      c.close();
    });
  });
});

describe('RpcServer over UDP', () => {
  const state = new EchoState();
  const server = new RpcServer({ logger: capturingLogger().logger });
  server.register(echoProgram(1, state));
  let client: RpcClient;

  before(async () => {
    const port = await server.listenUdp('127.0.0.1', 0);
    client = await RpcClient.connect({ host: '127.0.0.1', port, transport: 'udp', timeoutMs: 2000 });
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it('answers each datagram with one datagram to the sender', async () => {
    const out = await client.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_ECHO, Buffer.from('over udp'));
    assert.equal(out.toString(), 'over udp');
  });

  it('sends the same error replies as TCP', async () => {
    assert.deepEqual(await failure(client.callRaw(ECHO_PROG, 9, 0, Buffer.alloc(0))), {
      kind: 'PROG_MISMATCH',
      low: 1,
      high: 1,
    });
    assert.deepEqual(await failure(client.callRaw(ECHO_PROG, 1, 1, Buffer.alloc(2))), {
      kind: 'GARBAGE_ARGS',
    });
  });

  it('keys the reply cache by address and port, so a retransmitted call runs once', async () => {
    const before = state.removeCalls;
    state.removeDelayMs = 1200;
    // The client retransmits after 1 s while the first execution is still running.
    const out = await client.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_REMOVE, Buffer.from('udp-file'));
    state.removeDelayMs = 0;
    assert.deepEqual(out, Buffer.from([0]));
    assert.equal(state.removeCalls - before, 1);
    assert.equal(server.stats().drcInProgress, 0);
  });
});
