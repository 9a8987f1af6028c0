import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RpcCallError, RpcClient } from '../../../src/rpc/client.js';
import { RpcServer } from '../../../src/rpc/server.js';
import { capturingLogger, ECHO_PROCEDURES, ECHO_PROG, EchoState, echoProgram } from './echo-program.js';

describe('RpcClient', () => {
  const state = new EchoState();
  const server = new RpcServer({ logger: capturingLogger().logger });
  server.register(echoProgram(1, state));
  let port = 0;

  before(async () => {
    port = await server.listenTcp('127.0.0.1', 0);
  });
  after(() => server.close());

  it('rejects a call that gets no reply in time with a TIMEOUT RpcCallError, and forgets it', async () => {
    const c = await RpcClient.connect({ host: '127.0.0.1', port });
    const slow = c.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_SLEEP, 500, { timeoutMs: 50 });
    await assert.rejects(slow, (e: unknown) => e instanceof RpcCallError && e.failure.kind === 'TIMEOUT');
    assert.equal(c.inFlight, 0);
    await c.close();
  });

  it('rejects pending calls with CLOSED when closed, and every later call too', async () => {
    const c = await RpcClient.connect({ host: '127.0.0.1', port });
    const pending = assert.rejects(
      c.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_SLEEP, 200),
      (e: unknown) => e instanceof RpcCallError && e.failure.kind === 'CLOSED',
    );
    await c.close();
    await pending;
    await assert.rejects(
      c.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_NULL, undefined),
      (e: unknown) => e instanceof RpcCallError && e.failure.kind === 'CLOSED',
    );
  });

  it('rejects pending calls with CLOSED when the server hangs up', async () => {
    const hangup = net.createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((r) => hangup.listen(0, '127.0.0.1', r));
    const c = await RpcClient.connect({
      host: '127.0.0.1',
      port: (hangup.address() as net.AddressInfo).port,
    });
    await assert.rejects(
      c.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_NULL, undefined),
      (e: unknown) => e instanceof RpcCallError && e.failure.kind === 'CLOSED',
    );
    await new Promise((r) => hangup.close(r));
  });

  it('names the accept status and the xid in its error', async () => {
    const c = await RpcClient.connect({ host: '127.0.0.1', port });
    await assert.rejects(c.callRaw(ECHO_PROG, 2, 0, Buffer.alloc(0)), (e: unknown) => {
      assert.ok(e instanceof RpcCallError);
      assert.deepEqual(e.failure, { kind: 'PROG_MISMATCH', low: 1, high: 1 });
      assert.match(e.message, /PROG_MISMATCH \(low 1, high 1\)/);
      return true;
    });
    await c.close();
  });

  it('binds a reserved source port when asked and running as root (an ordinary one otherwise)', async () => {
    const c = await RpcClient.connect({ host: '127.0.0.1', port, bindPrivileged: true });
    if (process.getuid?.() === 0)
      assert.ok(c.localPort < 1024 && c.localPort >= 512, `local port ${c.localPort}`);
    else assert.ok(c.localPort >= 1024);
    await c.call(ECHO_PROG, 1, ECHO_PROCEDURES.ECHOPROC_NULL, undefined);
    await c.close();
  });
});
