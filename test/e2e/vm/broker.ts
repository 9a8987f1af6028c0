// Host-side broker: holds the one connection to the guest agent (a virtio-serial port
// that QEMU exposes as <dir>/ctl.sock) and serves any number of clients on
// <dir>/api.sock (see broker-protocol.ts). It runs as its own process, started
// detached by up(): `node -e` imports this module and calls runBroker(dir), so the
// module has no entry point a test runner could execute by accident.
//
// Agent protocol (one line per message, payloads base64, see guest/agent.sh):
//   host -> guest  REQ <id> <timeout_s|0> <b64 script> <b64 stdin|->   and   PING <id>
//   guest -> host  HELLO <uptime> <kernel>,  RES <id> <rc> <timedout> <b64 out|-> <b64 err|->,  PONG <id>
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { BrokerFailure, BrokerRequest, ExecReply, Hello, PingReply } from './broker-protocol.js';

type Reply = (Record<string, unknown> & { ok: boolean }) | ExecReply | PingReply | BrokerFailure;
type Pending =
  | { kind: 'exec'; t0: bigint; timer: NodeJS.Timeout; resolve: (r: ExecReply | BrokerFailure) => void }
  | { kind: 'ping'; t0: bigint; timer: NodeJS.Timeout; resolve: (r: PingReply | BrokerFailure) => void };

const elapsedMs = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

export function runBroker(stateDir: string): void {
  const ctlPath = path.join(stateDir, 'ctl.sock');
  const apiPath = path.join(stateDir, 'api.sock');
  let guest: net.Socket | null = null;
  let hello: Hello | null = null;
  let helloWaiters: Array<(h: Hello) => void> = [];
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const log = (...a: string[]): void => {
    process.stdout.write(`[broker ${new Date().toISOString()}] ${a.join(' ')}\n`);
  };

  const failAll = (error: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error });
      pending.delete(id);
    }
  };

  const onGuestLine = (line: string): void => {
    if (!line) return;
    const f = line.split(' ');
    const id = Number(f[1]);
    switch (f[0]) {
      case 'HELLO': {
        if (hello) failAll('agent restarted');
        hello = { uptime: Number(f[1]), kernel: f[2] ?? '', at: Date.now() };
        log('HELLO', line);
        const waiters = helloWaiters;
        helloWaiters = [];
        for (const w of waiters) w(hello);
        return;
      }
      case 'RES': {
        const p = pending.get(id);
        if (p?.kind !== 'exec') return;
        pending.delete(id);
        clearTimeout(p.timer);
        const payload = (s: string | undefined): string => (s === undefined || s === '-' ? '' : s);
        p.resolve({
          ok: true,
          rc: Number(f[2]),
          timedOut: f[3] === '1',
          stdout: payload(f[4]),
          stderr: payload(f[5]),
          ms: elapsedMs(p.t0),
        });
        return;
      }
      case 'PONG': {
        const p = pending.get(id);
        if (p?.kind !== 'ping') return;
        pending.delete(id);
        clearTimeout(p.timer);
        p.resolve({ ok: true, ms: elapsedMs(p.t0) });
        return;
      }
      default:
        log('unexpected from guest:', line.slice(0, 200));
    }
  };

  const qemuGone = (): boolean => {
    try {
      const st = JSON.parse(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8')) as {
        qemuPid?: number;
      };
      if (st.qemuPid) process.kill(st.qemuPid, 0);
      return false;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ESRCH' || code === 'ENOENT';
    }
  };

  const connectGuest = (): void => {
    const s = net.createConnection(ctlPath);
    let buf = '';
    s.setEncoding('latin1');
    s.on('connect', () => {
      guest = s;
      log('connected to', ctlPath);
    });
    s.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        onGuestLine(line);
      }
    });
    s.on('error', () => {});
    s.on('close', () => {
      // down() stops us too; this covers a guest that crashed on its own
      if (qemuGone()) {
        log('qemu gone; exiting');
        process.exit(0);
      }
      if (guest === s) {
        log('guest connection closed');
        guest = null;
        hello = null;
        failAll('guest connection closed');
      }
      setTimeout(connectGuest, 100);
    });
  };

  const send = <K extends Pending['kind']>(
    kind: K,
    line: (id: number) => string,
    guardMs: number,
    resolve: Extract<Pending, { kind: K }>['resolve'],
  ): void => {
    if (!guest || !hello) {
      resolve({ ok: false, error: 'guest agent not connected' });
      return;
    }
    const id = nextId++;
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve({ ok: false, error: `no answer from guest within ${guardMs} ms` });
    }, guardMs);
    pending.set(id, { kind, t0: process.hrtime.bigint(), timer, resolve } as Pending);
    guest.write(line(id), 'latin1');
  };

  const handle = (req: BrokerRequest, reply: (r: Reply) => void): void => {
    switch (req.op) {
      case 'exec': {
        const timeout = Math.max(0, Math.floor(req.timeout ?? 600));
        const cmd = Buffer.from(String(req.cmd ?? ''), 'utf8').toString('base64') || '-';
        const stdin = req.stdin ? String(req.stdin) : '-';
        // the guest enforces the timeout; this guard only catches a guest that stopped answering
        const guardMs = timeout > 0 ? (timeout + 30) * 1000 : 86400e3;
        send('exec', (id) => `REQ ${id} ${timeout} ${cmd} ${stdin}\n`, guardMs, reply);
        return;
      }
      case 'ping':
        send('ping', (id) => `PING ${id}\n`, (req.timeout ?? 30) * 1000, reply);
        return;
      case 'ready': {
        if (guest && hello) {
          reply({ ok: true, hello });
          return;
        }
        const t = setTimeout(
          () => reply({ ok: false, error: 'timeout waiting for guest agent' }),
          (req.timeout ?? 120) * 1000,
        );
        helloWaiters.push((h) => {
          clearTimeout(t);
          reply({ ok: true, hello: h });
        });
        return;
      }
      case 'status':
        reply({ ok: true, connected: guest !== null, hello, pending: pending.size });
        return;
      default:
        reply({ ok: false, error: `unknown op ${(req as { op: unknown }).op}` });
    }
  };

  fs.rmSync(apiPath, { force: true });
  const server = net.createServer((c) => {
    let buf = '';
    c.setEncoding('utf8');
    c.on('error', () => {});
    c.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let req: BrokerRequest & { tag?: unknown };
        try {
          req = JSON.parse(line) as BrokerRequest & { tag?: unknown };
        } catch {
          c.write(`${JSON.stringify({ ok: false, error: 'bad json' })}\n`);
          continue;
        }
        handle(req, (res) => {
          if (!c.destroyed) c.write(`${JSON.stringify({ ...res, tag: req.tag })}\n`);
        });
      }
    });
  });
  // bind() creates the socket file before listen() makes it connectable: listen under a
  // temporary name and rename, so clients that see api.sock can connect at once
  const bindPath = `${apiPath}.${process.pid}`;
  fs.rmSync(bindPath, { force: true });
  server.listen(bindPath, () => {
    fs.renameSync(bindPath, apiPath);
    log('listening on', apiPath);
  });
  connectGuest();

  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => {
      fs.rmSync(apiPath, { force: true });
      process.exit(0);
    });
  }
}
