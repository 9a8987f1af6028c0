import {
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
  spawnSync,
} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { brokerRequest } from './broker-protocol.js';
import { now, sleep } from './clock.js';
import type { Accel } from './image.js';
import { DEFAULT_MNT, type MountOptions, mountCommand } from './mount-command.js';
import { linkDelete, netnsDelete, netnsExists, netnsPath, netnsPids } from './netns.js';
import {
  listeningPorts,
  nsInode,
  type OwnedGroup,
  ownedMembers,
  spawnDetached,
  stopGroup,
  tail,
} from './processes.js';
import { shq } from './shell.js';

export type NetMode = 'user' | 'tap';

export interface ExecResult {
  readonly rc: number;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Binary-safe copies of the output. */
  readonly stdoutBuf: Buffer;
  readonly stderrBuf: Buffer;
  /** Round trip seen by this process. */
  readonly ms: number;
}

export interface ExecOptions {
  /** Seconds; 0 = none. On expiry the guest SIGKILLs the command's process group. */
  readonly timeout?: number;
  /** Small (KBs): it travels as one base64 line. */
  readonly stdin?: string | Buffer;
}

export interface ServerSpec {
  /** Run as `sh -c CMD` inside the namespace; must stay in the foreground. */
  readonly cmd: string;
  readonly cwd?: string;
  /** TCP ports that must all be LISTENing (in the namespace) before the server counts as started. */
  readonly readyPorts: readonly number[];
}

interface ProcessRecord {
  readonly pid: number;
  readonly start: string | null;
}

export interface Timings {
  imageMs?: number;
  serverReadyMs?: number;
  bootMs?: number;
  guestUptimeAtAgentS?: number;
  mountMs?: number;
  totalUpMs?: number;
}

/** Everything down() needs to clean up, saved as state.json so attach() can do it from elsewhere. */
export interface InstanceState {
  readonly name: string;
  readonly netns: string;
  netnsCreated: boolean;
  tapCreated: string | null;
  readonly net: NetMode;
  readonly accel: Accel;
  readonly accelWhy: string;
  readonly mem: number;
  readonly smp: number;
  readonly kernel: string;
  readonly initrd: string;
  readonly createdAt: string;
  readonly timings: Timings;
  readonly mountDefaults: MountOptions;
  mounted: (MountOptions & { readonly mnt: string }) | null;
  serverSpec: ServerSpec | null;
  server: ProcessRecord | null;
  qemu: ProcessRecord | null;
  broker: ProcessRecord | null;
  qemuArgv?: readonly string[];
}

type ProcessKind = 'server' | 'qemu' | 'broker';

/** A running instance: namespace, server, QEMU guest and broker. */
export class Guest {
  constructor(
    readonly dir: string,
    readonly state: InstanceState,
  ) {}

  get api(): string {
    return path.join(this.dir, 'api.sock');
  }

  get logs(): { console: string; qemu: string; broker: string; server: string } {
    const f = (n: string): string => path.join(this.dir, n);
    return {
      console: f('console.log'),
      qemu: f('qemu.log'),
      broker: f('broker.log'),
      server: f('server.log'),
    };
  }

  /** Which processes are ours, per kind (see OwnedGroup). The broker lives outside the namespace. */
  group(kind: ProcessKind): OwnedGroup | null {
    const rec = this.state[kind];
    if (!rec) return null;
    const netnsIno = kind === 'broker' ? null : nsInode(netnsPath(this.state.netns));
    return { pgid: rec.pid, leaderStart: rec.start, netnsIno };
  }

  serverPids(): number[] {
    return ownedMembers(this.group('server'));
  }

  save(): void {
    const file = path.join(this.dir, 'state.json');
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.state, null, 2));
    fs.renameSync(`${file}.tmp`, file);
  }

  /**
   * Run a shell command (busybox sh) in the guest as root, cwd /, in its own session.
   * Commands may run concurrently; background processes they start keep running.
   */
  async exec(cmd: string, { timeout = 600, stdin }: ExecOptions = {}): Promise<ExecResult> {
    const t0 = now();
    const r = await brokerRequest(this.api, {
      op: 'exec',
      cmd,
      timeout,
      ...(stdin === undefined ? {} : { stdin: Buffer.from(stdin).toString('base64') }),
    });
    if (!r.ok) throw new Error(`guest exec failed: ${r.error}`);
    const stdoutBuf = Buffer.from(r.stdout, 'base64');
    const stderrBuf = Buffer.from(r.stderr, 'base64');
    return {
      rc: r.rc,
      timedOut: r.timedOut,
      stdout: stdoutBuf.toString('utf8'),
      stderr: stderrBuf.toString('utf8'),
      stdoutBuf,
      stderrBuf,
      ms: now() - t0,
    };
  }

  /** exec() that throws unless the exit code is 0; returns stdout. */
  async sh(cmd: string, opts?: ExecOptions): Promise<string> {
    const r = await this.exec(cmd, opts);
    if (r.rc !== 0) {
      const why = r.timedOut ? ', timed out' : '';
      throw new Error(`guest command failed (rc ${r.rc}${why}): ${cmd}\n${r.stderr}${r.stdout}`);
    }
    return r.stdout;
  }

  /** Agent round trip without forking anything in the guest (ms). */
  async ping(): Promise<number> {
    const r = await brokerRequest(this.api, { op: 'ping' });
    if (!r.ok) throw new Error(r.error);
    return r.ms;
  }

  /** Mount with the instance's defaults overridden by `o`; throws when the mount fails. */
  async mount(o: MountOptions & { readonly timeout?: number } = {}): Promise<{ ms: number; cmd: string }> {
    const m = { ...this.state.mountDefaults, ...o };
    const cmd = mountCommand(m);
    const r = await this.exec(cmd, { timeout: o.timeout ?? 120 });
    if (r.rc !== 0) throw new Error(`mount failed (rc ${r.rc}): ${cmd}\n${r.stderr}${r.stdout}`);
    this.state.mounted = { ...m, mnt: m.mnt ?? DEFAULT_MNT };
    this.save();
    return { ms: r.ms, cmd };
  }

  async umount(
    mnt: string = this.state.mounted?.mnt ?? DEFAULT_MNT,
    { force = false } = {},
  ): Promise<ExecResult> {
    const r = await this.exec(`umount ${force ? '-f -l ' : ''}${shq(mnt)}`, { timeout: 60 });
    if (this.state.mounted?.mnt === mnt) this.state.mounted = null;
    this.save();
    return r;
  }

  // ---- long-lived holders in the guest: a shell with a cwd and open fds ----------

  /** Start holder `name` with cwd `dir`, then `exec REDIRS...` in it (e.g. '3<file', '4>>log'). */
  holdStart(name: string, dir: string, ...redirs: string[]): Promise<string> {
    return this.sh(`nfsguest-hold start ${shq(name)} ${shq(dir)} ${redirs.map(shq).join(' ')}`);
  }

  /** Run `cmd` in a subshell of the holder: same cwd, same open file descriptions. */
  holdExec(name: string, cmd: string, opts?: ExecOptions): Promise<ExecResult> {
    return this.exec(`nfsguest-hold exec ${shq(name)} ${shq(cmd)}`, opts);
  }

  holdStop(name: string): Promise<ExecResult> {
    return this.exec(`nfsguest-hold stop ${shq(name)}`);
  }

  // ---- the server inside the namespace --------------------------------------------

  /** Start the server (the saved spec, or a new one) and wait until all its ready ports LISTEN. */
  async serverStart(
    spec: Partial<ServerSpec> & { readyTimeoutS?: number } = {},
  ): Promise<{ pid: number; ms: number }> {
    const saved = this.state.serverSpec;
    const cmd = spec.cmd ?? saved?.cmd;
    if (!cmd) throw new Error('no server command');
    const next: ServerSpec = {
      cmd,
      readyPorts: spec.readyPorts ?? saved?.readyPorts ?? [],
      ...((spec.cwd ?? saved?.cwd) === undefined ? {} : { cwd: spec.cwd ?? saved?.cwd }),
    };
    if (this.serverPids().length > 0)
      throw new Error(`server already running (pgid ${this.state.server?.pid})`);
    const log = this.logs.server;
    fs.appendFileSync(log, `\n===== ${new Date().toISOString()} start: ${cmd}\n`);
    const t0 = now();
    this.state.serverSpec = next;
    this.state.server = spawnDetached(['ip', 'netns', 'exec', this.state.netns, 'sh', '-c', cmd], log, {
      cwd: next.cwd ?? this.dir,
    });
    this.save();
    const timeoutMs = (spec.readyTimeoutS ?? 60) * 1000;
    for (;;) {
      // tolerate servers whose first process exits (e.g. a wrapper that execs)
      const members = this.serverPids();
      if (members.length === 0)
        throw new Error(`server exited during startup; see ${log}:\n${tail(log, 15)}`);
      const listening = listeningPorts(members[0]!);
      if (next.readyPorts.every((p) => listening.has(p))) break;
      if (now() - t0 > timeoutMs) {
        throw new Error(`server not listening on ${next.readyPorts} after ${timeoutMs} ms; see ${log}`);
      }
      await sleep(20);
    }
    return { pid: this.state.server.pid, ms: now() - t0 };
  }

  /** Stop the server: signal each process of its group (default SIGTERM, escalating to SIGKILL). */
  async serverStop({
    signal = 'SIGTERM',
    graceMs = 10000,
  }: {
    signal?: NodeJS.Signals;
    graceMs?: number;
  } = {}) {
    const t0 = now();
    await stopGroup(this.group('server'), { signal, graceMs });
    this.state.server = null;
    this.save();
    return { ms: now() - t0 };
  }

  /** A crash: SIGKILL every process of the server's group. */
  serverKill(): Promise<{ ms: number }> {
    return this.serverStop({ signal: 'SIGKILL' });
  }

  async serverRestart({
    signal = 'SIGKILL',
    ...spec
  }: Partial<ServerSpec> & { signal?: NodeJS.Signals; readyTimeoutS?: number } = {}) {
    const a = await this.serverStop({ signal });
    const b = await this.serverStart(spec);
    return { stopMs: a.ms, startMs: b.ms, pid: b.pid };
  }

  /** Run a host command inside the namespace (a capture, a probe, a CLI). */
  netnsRun(
    argv: readonly string[],
    opts: Omit<SpawnSyncOptionsWithStringEncoding, 'encoding'> = {},
  ): SpawnSyncReturns<string> {
    return spawnSync('ip', ['netns', 'exec', this.state.netns, ...argv], { ...opts, encoding: 'utf8' });
  }

  status() {
    const s = this.state;
    return {
      name: s.name,
      dir: this.dir,
      netns: s.netns,
      net: s.net,
      accel: s.accel,
      qemu: { pid: s.qemu?.pid ?? null, alive: ownedMembers(this.group('qemu')).length > 0 },
      broker: { pid: s.broker?.pid ?? null, alive: ownedMembers(this.group('broker')).length > 0 },
      server: s.server ? { pgid: s.server.pid, pids: this.serverPids(), cmd: s.serverSpec?.cmd } : null,
      mounted: s.mounted,
      timings: s.timings,
    };
  }

  /** Stop broker, QEMU and server, empty and delete the namespace. Logs stay in dir. */
  async down({ keepNetns = false } = {}): Promise<string[]> {
    const s = this.state;
    const report: string[] = [];
    for (const [kind, graceMs] of [
      ['broker', 2000],
      ['qemu', 3000],
      ['server', 5000],
    ] as const) {
      const g = this.group(kind);
      if (!g) continue;
      await stopGroup(g, { graceMs });
      report.push(`${kind} ${g.pgid} stopped`);
      s[kind] = null;
    }
    if (s.tapCreated && netnsExists(s.netns)) linkDelete(s.netns, s.tapCreated);
    s.tapCreated = null;
    if (netnsExists(s.netns) && s.netnsCreated) {
      // whatever is still inside a namespace we created was started from it
      for (const p of netnsPids(s.netns)) {
        try {
          process.kill(p, 'SIGKILL');
          report.push(`killed leftover ${p} in netns`);
        } catch {
          // already gone
        }
      }
      if (!keepNetns) {
        netnsDelete(s.netns);
        report.push(`netns ${s.netns} deleted`);
      }
    }
    for (const f of ['api.sock', 'ctl.sock', 'mon.sock', 'state.json'])
      fs.rmSync(path.join(this.dir, f), { force: true });
    fs.writeFileSync(
      path.join(this.dir, 'down.json'),
      JSON.stringify({ at: new Date().toISOString(), report }, null, 2),
    );
    return report;
  }
}
