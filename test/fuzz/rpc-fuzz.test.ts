import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { RecordDecoder } from '../../src/rpc/record-marking.js';
import { RpcServer } from '../../src/rpc/server.js';
import { decode_reply_body } from '../../src/xdr/generated/rpc.js';
import { XdrReader } from '../../src/xdr/reader.js';
import { ECHO_PROG, EchoState, echoProgram } from '../unit/rpc/echo-program.js';
import { authSysBody, encodeCall, fragmentHeader, framed, opaqueArg, uintArg } from '../unit/rpc/wire.js';

const TCP_RECORDS = 90_000;
const UDP_DATAGRAMS = 20_000;
const TCP_CONNECTIONS = 8;
const SEED = 0x5eed1234;

/** mulberry32: small, fast and deterministic for a given seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    u32: () => Math.floor(next() * 4294967296) >>> 0,
    bytes: (n: number) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
  };
}
type Rng = ReturnType<typeof prng>;

/** A well-formed call to the echo program (or next to it), with assorted credentials. */
function validCall(rng: Rng, xid: number): Buffer {
  const cred =
    rng.int(3) === 0
      ? {
          flavor: 1,
          body: authSysBody({
            machinename: 'fuzz',
            uid: rng.int(70000),
            gid: rng.int(100),
            gids: [1, 2, 3].slice(0, rng.int(4)),
          }),
        }
      : undefined;
  const proc = [0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 42][rng.int(11)]!;
  const args =
    proc === 1 || proc === 3
      ? opaqueArg(rng.bytes(rng.int(proc === 1 ? 600 : 12)))
      : proc === 2
        ? uintArg(rng.int(3))
        : Buffer.alloc(0);
  const prog = rng.chance(0.05) ? 100003 : ECHO_PROG;
  const vers = rng.chance(0.05) ? 2 : rng.chance(0.5) ? 1 : 3;
  return encodeCall({ xid, prog, vers, proc, cred, args });
}

/**
 * Mutations weighted towards ones that reach deep into the call (argument and credential decoding), since
 * a record the server cannot answer at all costs the rest of the batch its connection.
 */
function mutate(rng: Rng, msg: Buffer): Buffer {
  const m = Buffer.from(msg);
  const words = m.length >> 2;
  const pick = rng.int(24);
  if (pick < 6) return m;
  if (pick < 11) {
    // Bit flips past the message type, so most still reach dispatch.
    for (let i = 1 + rng.int(4); i > 0; i--) {
      const at = m.length > 8 ? 8 + rng.int(m.length - 8) : rng.int(m.length);
      m[at]! ^= 1 << rng.int(8);
    }
    return m;
  }
  if (pick < 13)
    return m.subarray(0, rng.chance(0.8) ? 24 + rng.int(Math.max(1, m.length - 24)) : rng.int(m.length));
  if (pick < 15) return Buffer.concat([m, rng.bytes(1 + rng.int(64))]);
  if (pick < 18) {
    const huge = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 401][rng.int(5)]!;
    m.writeUInt32BE(huge, 4 * (2 + rng.int(Math.max(1, words - 2))));
    return m;
  }
  if (pick < 21) {
    // The credential length, the verifier length, or the first words of the arguments.
    const at = [28, 32, 36, 40, 44][rng.int(5)]!;
    if (at + 4 <= m.length) m.writeUInt32BE(rng.chance(0.5) ? 0xffffffff : rng.int(1 << 16), at);
    return m;
  }
  if (pick < 22) return rng.bytes(rng.int(120));
  if (pick < 23) {
    m.writeUInt32BE(rng.int(4), 4);
    return m;
  }
  m.writeUInt32BE(rng.int(4), 8);
  return m;
}

/** Any reply must decode as an RPC reply (RFC 5531 section 9); returns its xid. */
function checkReply(record: Buffer): number | string {
  try {
    const r = new XdrReader(record);
    const xid = r.uint32();
    if (r.uint32() !== 1) return 'reply is not a REPLY message';
    decode_reply_body(r);
    return xid;
  } catch (e) {
    return `reply does not decode: ${(e as Error).message}`;
  }
}

interface Measures {
  tcpRecords: number;
  tcpReplies: number;
  tcpClosedByServer: number;
  udpDatagrams: number;
  udpReplies: number;
  failures: string[];
}

function fail(m: Measures, what: string): void {
  if (m.failures.length < 20) m.failures.push(what);
}

class FuzzConnection {
  closed = false;
  sentinelSeen = false;
  readonly expected = new Map<number, number>();
  expectedCount = 0;
  strict = true;
  private wake: (() => void) | undefined;

  constructor(
    readonly socket: net.Socket,
    private readonly m: Measures,
  ) {
    const decoder = new RecordDecoder(1 << 24);
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (let n = decoder.next(); n.kind === 'record'; n = decoder.next()) this.reply(n.record);
      this.wake?.();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static open(port: number, m: Measures): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new FuzzConnection(s, m)));
      s.once('error', reject);
    });
  }

  expect(xid: number): void {
    this.expected.set(xid, (this.expected.get(xid) ?? 0) + 1);
    this.expectedCount++;
  }

  private reply(record: Buffer): void {
    this.m.tcpReplies++;
    const xid = checkReply(record);
    if (typeof xid === 'string') {
      fail(this.m, xid);
      return;
    }
    if (xid === SENTINEL_MARK) this.sentinelSeen = true;
    if (!this.strict) return;
    const left = this.expected.get(xid);
    if (left === undefined) {
      fail(this.m, `reply to xid ${xid}, which was not sent on this connection`);
      return;
    }
    if (left === 1) this.expected.delete(xid);
    else this.expected.set(xid, left - 1);
    this.expectedCount--;
  }

  /** Waits until every expected reply came (strict), the sentinel came (after broken framing), or a close. */
  async settle(timeoutMs: number): Promise<'done' | 'closed' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.strict ? this.expectedCount === 0 : this.sentinelSeen) return 'done';
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

/** The xid of the NULL call that ends each batch, so its reply marks that the server kept up. */
const SENTINEL_MARK = 0xfeedf00d;

async function tcpWorker(port: number, rng: Rng, records: number, m: Measures): Promise<void> {
  let sent = 0;
  let nextXid = rng.u32();
  while (sent < records) {
    const conn = await FuzzConnection.open(port, m);
    while (sent < records && !conn.closed) {
      const parts: Buffer[] = [];
      for (let n = 1 + rng.int(8); n > 0 && sent < records; n--, sent++) {
        const msg = mutate(rng, validCall(rng, nextXid++ >>> 0));
        const framing = rng.int(100);
        if (framing < 86) {
          parts.push(framed(msg));
        } else if (framing < 93) {
          const cuts = Array.from({ length: rng.int(4) }, () => rng.int(Math.max(1, msg.length >> 2)));
          parts.push(framed(msg, cuts));
        } else if (framing < 96) {
          conn.strict = false;
          parts.push(
            fragmentHeader(rng.chance(0.5) ? rng.u32() & 0x7fffffff : rng.int(400), rng.chance(0.7)),
            msg,
          );
        } else if (framing < 98) {
          conn.strict = false;
          parts.push(rng.bytes(1 + rng.int(40)));
        } else {
          conn.strict = false;
          parts.push(fragmentHeader(msg.length, false), msg);
        }
        if (conn.strict && msg.length >= 4) conn.expect(msg.readUInt32BE(0));
      }
      parts.push(framed(encodeCall({ xid: SENTINEL_MARK, prog: ECHO_PROG, vers: 1, proc: 0 })));
      if (conn.strict) conn.expect(SENTINEL_MARK);
      conn.sentinelSeen = false;
      m.tcpRecords += parts.length;
      conn.socket.write(Buffer.concat(parts));
      const outcome = await conn.settle(conn.strict ? 5000 : 150);
      if (outcome === 'closed') m.tcpClosedByServer++;
      if (outcome === 'timeout' && conn.strict) {
        fail(m, `no reply to ${conn.expectedCount} well-framed calls and no close`);
      }
      // After broken framing the stream is out of step: start afresh rather than guess where records begin.
      if (!conn.strict || outcome === 'timeout') conn.socket.destroy();
    }
    conn.socket.destroy();
  }
}

async function udpWorker(port: number, rng: Rng, datagrams: number, m: Measures): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const sent = new Set<number>();
  let sentinel: (() => void) | undefined;
  socket.on('message', (msg) => {
    m.udpReplies++;
    const xid = checkReply(msg);
    if (typeof xid === 'string') {
      fail(m, `UDP: ${xid}`);
      return;
    }
    if (!sent.has(xid)) {
      fail(m, `UDP reply to xid ${xid}, never sent`);
      return;
    }
    if (xid === SENTINEL_MARK) sentinel?.();
  });
  sent.add(SENTINEL_MARK);
  let xid = rng.u32();
  for (let done = 0; done < datagrams; ) {
    for (let n = 0; n < 32 && done < datagrams; n++, done++) {
      const msg = mutate(rng, validCall(rng, xid++ >>> 0));
      if (msg.length >= 4) sent.add(msg.readUInt32BE(0));
      socket.send(msg, port, '127.0.0.1');
      m.udpDatagrams++;
    }
    let answered = false;
    for (let attempt = 0; attempt < 3 && !answered; attempt++) {
      answered = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 1000);
        sentinel = () => {
          clearTimeout(t);
          resolve(true);
        };
        socket.send(encodeCall({ xid: SENTINEL_MARK, prog: ECHO_PROG, vers: 1, proc: 0 }), port, '127.0.0.1');
      });
    }
    if (!answered) fail(m, 'UDP: server stopped answering');
  }
  await new Promise<void>((r) => socket.close(r));
}

function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('RPC server under random and mutated input', () => {
  const state = new EchoState();
  state.sleepCapMs = 5;
  let unexpectedLogs = 0;
  // Handler bugs are expected (ECHOPROC_THROW); anything else at warn or above is not.
  const logger = pino(
    { level: 'warn' },
    {
      write: (line: string) => {
        if (!line.includes('"procedure failed"')) unexpectedLogs++;
      },
    },
  );
  const server = new RpcServer({ logger });
  server.register(echoProgram(1, state));
  server.register(echoProgram(3, state));
  let tcpPort = 0;
  let udpPort = 0;
  const gate = setInterval(() => state.openGate(), 5);

  before(async () => {
    tcpPort = await server.listenTcp('127.0.0.1', 0);
    udpPort = await server.listenUdp('127.0.0.1', 0);
  });
  after(async () => {
    clearInterval(gate);
    await server.close();
  });

  it('answers 110,000 records with valid replies or closed connections, within bounded time and memory', async (t) => {
    const gc = collectGarbage();
    const rng = prng(SEED);
    const m: Measures = {
      tcpRecords: 0,
      tcpReplies: 0,
      tcpClosedByServer: 0,
      udpDatagrams: 0,
      udpReplies: 0,
      failures: [],
    };
    // Warm up so the baseline includes the code and buffers any run needs.
    await tcpWorker(tcpPort, prng(1), 2000, m);
    gc();
    const before = process.memoryUsage();
    const started = Date.now();

    const workers: Promise<void>[] = [];
    for (let i = 0; i < TCP_CONNECTIONS; i++) {
      workers.push(tcpWorker(tcpPort, prng(rng.u32()), TCP_RECORDS / TCP_CONNECTIONS, m));
    }
    workers.push(udpWorker(udpPort, prng(rng.u32()), UDP_DATAGRAMS / 2, m));
    workers.push(udpWorker(udpPort, prng(rng.u32()), UDP_DATAGRAMS / 2, m));
    await Promise.all(workers);
    const elapsedMs = Date.now() - started;

    state.openGate();
    for (let i = 0; i < 100 && (server.stats().inFlight > 0 || server.stats().connections > 0); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    gc();
    const afterRun = process.memoryUsage();
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    t.diagnostic(
      `${m.tcpRecords} TCP records (${m.tcpReplies} replies, ${m.tcpClosedByServer} closed by server), ` +
        `${m.udpDatagrams} UDP datagrams (${m.udpReplies} replies) in ${elapsedMs} ms; ` +
        `heapUsed ${mb(before.heapUsed)} -> ${mb(afterRun.heapUsed)}, rss ${mb(before.rss)} -> ${mb(afterRun.rss)}`,
    );

    assert.deepEqual(m.failures, []);
    assert.equal(unexpectedLogs, 0, 'no warnings or errors besides the deliberate handler bug');
    assert.ok(m.tcpRecords >= TCP_RECORDS && m.udpDatagrams >= UDP_DATAGRAMS);
    assert.ok(m.tcpReplies > m.tcpRecords / 2, 'most records were answered');
    assert.ok(elapsedMs < 60_000, `took ${elapsedMs} ms`);
    assert.deepEqual(server.stats(), {
      inFlight: 0,
      connections: 0,
      drcEntries: server.stats().drcEntries,
      drcInProgress: 0,
    });
    assert.ok(server.stats().drcEntries <= 4096);
    assert.ok(afterRun.heapUsed - before.heapUsed < 32 * 1048576, 'heap did not grow by 32 MiB');
  });
});
