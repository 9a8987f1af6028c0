import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo.js';

export interface ServerProcessOptions {
  /** The directory to export; a fresh `export/` inside the server's temporary folder if absent. */
  readonly exportDir?: string;
  /** The state folder (keys, catalog, mounts); a fresh `state/` inside the temporary folder if absent. */
  readonly stateDir?: string;
  /** The MOUNT path, `--name`. */
  readonly name?: string;
  /** exports(5) options for `-o`, e.g. 'rw,no_root_squash,insecure'. */
  readonly options?: string;
  /** Fixed ports, picked free by default so a restart keeps them; 'ephemeral' passes 0 to the server. */
  readonly ports?: 'fixed' | 'ephemeral';
  readonly readyTimeoutMs?: number;
  /** Further command-line arguments for `serve`. */
  readonly extraArgs?: readonly string[];
  /** Extra environment variables for the server process. */
  readonly env?: Readonly<Record<string, string>>;
  /** Per-client exports(5) options, e.g. `127.0.0.1(rw,crossmnt) 127.0.0.2(rw)`: the export is then
   * given as an exports file (`--exports`) with this client list instead of `-o`. */
  readonly clientList?: string;
  /** Run the server as this user instead of root; its export and state folders are given to it. */
  readonly user?: { readonly uid: number; readonly gid: number };
}

/** One JSON log line the server wrote to stderr. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

const READY_MESSAGE = 'nfsgate ready';
const DEFAULT_READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const STDERR_TAIL_CHARS = 4_000;

const running = new Set<ChildProcess>();
// A test that fails before its `after` hook must not leave a server behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port nobody listens on right now on 127.0.0.1 (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The path of the command-line entry point in the build. */
export function cliPath(): string {
  return join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
}

/**
 * The real `nfsgate serve` as a child process on 127.0.0.1, with its own temporary folder holding the
 * export, the state and a sibling `outside/` directory that is not exported (for confinement checks).
 */
export class ServerProcess {
  readonly exportDir: string;
  readonly stateDir: string;
  /** A directory next to the export: nothing a client does may read or change it. */
  readonly outsideDir: string;
  readonly name: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private stderrText = '';
  private requestedNfsPort = 0;
  private requestedMountPort = 0;
  private boundNfsPort = 0;
  private boundMountPort = 0;

  private constructor(
    private opts: ServerProcessOptions,
    private readonly tempDir: string,
  ) {
    this.exportDir = opts.exportDir ?? join(tempDir, 'export');
    this.stateDir = opts.stateDir ?? join(tempDir, 'state');
    this.outsideDir = join(tempDir, 'outside');
    this.name = opts.name ?? '/export';
    for (const d of [this.exportDir, this.stateDir, this.outsideDir]) mkdirSync(d, { recursive: true });
    if (opts.user) {
      chmodSync(tempDir, 0o711);
      for (const d of [this.exportDir, this.stateDir]) chownSync(d, opts.user.uid, opts.user.gid);
    }
  }

  /** Starts a server and waits until it says it is serving. */
  static async start(opts: ServerProcessOptions = {}): Promise<ServerProcess> {
    const server = new ServerProcess(opts, mkdtempSync(join(tmpdir(), 'nfsgate-it-')));
    try {
      if ((opts.ports ?? 'fixed') === 'fixed') {
        server.requestedNfsPort = await freePort();
        do server.requestedMountPort = await freePort();
        while (server.requestedMountPort === server.requestedNfsPort);
      }
      await server.launch();
    } catch (e) {
      await server.cleanup();
      throw e;
    }
    return server;
  }

  get nfsPort(): number {
    return this.boundNfsPort;
  }

  get mountPort(): number {
    return this.boundMountPort;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Everything the server wrote to stderr, across restarts. */
  get stderr(): string {
    return this.stderrText;
  }

  /** stderr's JSON lines, parsed; other lines are skipped. */
  logLines(): LogLine[] {
    const lines: LogLine[] = [];
    for (const line of this.stderrText.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // a line cut short by a kill -9 is not a log line
      }
    }
    return lines;
  }

  /** SIGTERM, then waits for the exit; resolves to the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (child === undefined) return null;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL, as a crash would: nothing gets to flush. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * Stops (cleanly unless it already exited) and starts again with the same folders and ports; `env`,
   * when given, replaces the extra environment from this start on (e.g. to turn the native binding off).
   */
  async restart(o: { env?: Readonly<Record<string, string>> } = {}): Promise<void> {
    await this.stop();
    if (o.env !== undefined) this.opts = { ...this.opts, env: o.env };
    await this.launch();
  }

  /** Stops the server and removes its temporary folder. */
  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  private args(): string[] {
    const o = this.opts;
    return [
      cliPath(),
      'serve',
      ...this.exportArgs(),
      '--state',
      this.stateDir,
      '--host',
      '127.0.0.1',
      '--nfs-port',
      String(this.requestedNfsPort),
      '--mount-port',
      String(this.requestedMountPort),
      '--no-portmap',
      ...(o.clientList === undefined ? ['--name', this.name] : []),
      ...(o.options !== undefined ? ['-o', o.options] : []),
      ...(o.extraArgs ?? []),
    ];
  }

  private exportArgs(): string[] {
    if (this.opts.clientList === undefined) return [this.exportDir];
    const file = join(this.tempDir, 'exports');
    // name= gives the export the same MOUNT path as on the command line.
    const clients = this.opts.clientList.replace(/\(/g, `(name=${this.name},`);
    writeFileSync(file, `${this.exportDir} ${clients}\n`);
    return ['--exports', file];
  }

  private launch(): Promise<void> {
    const child = spawn(process.execPath, this.args(), {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(this.opts.env && { env: { ...process.env, ...this.opts.env } }),
      ...(this.opts.user && { uid: this.opts.user.uid, gid: this.opts.user.gid }),
    });
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        running.delete(child);
        if (this.child === child) this.child = undefined;
        resolve(code);
      });
    });
    const startAt = this.stderrText.length;
    let pending = '';
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          child.kill('SIGKILL');
          reject(error);
        } else resolve();
      };
      const fail = (why: string) =>
        new Error(
          `nfsgate serve ${why}; stderr tail:\n${this.stderrText.slice(startAt).slice(-STDERR_TAIL_CHARS)}`,
        );
      const timeoutMs = this.opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
      const timer = setTimeout(() => settle(fail(`not ready after ${timeoutMs} ms`)), timeoutMs);
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        this.stderrText += chunk;
        pending += chunk;
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          nl = pending.indexOf('\n');
          const ready = readyLine(line);
          if (ready) {
            this.boundNfsPort = ready.nfsPort;
            this.boundMountPort = ready.mountPort;
            settle();
          }
        }
      });
      child.once('error', (e) => settle(fail(`could not be spawned (${e.message})`)));
      child.once('exit', (code, signal) =>
        settle(fail(`exited before ready (code ${code}, signal ${signal})`)),
      );
    });
  }
}

function readyLine(line: string): { nfsPort: number; mountPort: number } | undefined {
  if (!line.includes(READY_MESSAGE)) return undefined;
  try {
    const o = JSON.parse(line) as LogLine;
    if (o.msg !== READY_MESSAGE || typeof o.nfsPort !== 'number' || typeof o.mountPort !== 'number')
      return undefined;
    return { nfsPort: o.nfsPort, mountPort: o.mountPort };
  } catch {
    return undefined;
  }
}
