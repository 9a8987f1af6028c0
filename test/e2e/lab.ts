import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type ExportOptions,
  keysRotateArgv,
  MOUNT_PATH,
  MOUNT_PORT,
  NFS_PORT,
  PORTMAP_PORT,
  serveCommand,
} from './nfsgate-cli.js';
import { type ExecResult, type Guest, type NetMode, up } from './vm/index.js';

/** Wall-clock figures the suite prints at the end. */
export const timings: Array<{ readonly what: string; readonly ms: number }> = [];

export function recordTiming(what: string, ms: number): void {
  timings.push({ what, ms: Math.round(ms) });
}

export async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    recordTiming(what, performance.now() - t0);
  }
}

let runDir: string | null = null;
/** One folder per test run for exports and server state (override with NFSGATE_E2E_DIR). */
export function testRunDir(): string {
  runDir ??= process.env.NFSGATE_E2E_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'nfsgate-e2e-'));
  fs.mkdirSync(runDir, { recursive: true });
  return runDir;
}

/** An nfsgate server in a namespace, exporting a fresh folder, and a guest that mounts it at /mnt/nfs. */
export class Lab {
  private constructor(
    readonly net: NetMode,
    readonly guest: Guest,
    readonly exportDir: string,
    readonly stateDir: string,
    private options: ExportOptions,
  ) {}

  static async start(net: NetMode, options: ExportOptions, { mem = 1024 } = {}): Promise<Lab> {
    const base = path.join(testRunDir(), net);
    const exportDir = path.join(base, 'export');
    const stateDir = path.join(base, 'state');
    fs.mkdirSync(exportDir, { recursive: true });
    const guest = await up({
      name: `kc-${net}-${process.pid}`,
      net,
      mem,
      server: {
        cmd: serveCommand(exportDir, stateDir, options),
        readyPorts: [NFS_PORT, MOUNT_PORT, PORTMAP_PORT],
      },
      mount: { path: MOUNT_PATH, nfsPort: NFS_PORT, mountPort: MOUNT_PORT },
    });
    const t = guest.state.timings;
    recordTiming(`boot (${net} networking, QEMU start to agent ready)`, t.bootMs ?? 0);
    recordTiming(`first mount (${net})`, t.mountMs ?? 0);
    recordTiming(`up total (${net}: image, server, boot, mount)`, t.totalUpMs ?? 0);
    return new Lab(net, guest, exportDir, stateDir, options);
  }

  host(...parts: string[]): string {
    return path.join(this.exportDir, ...parts);
  }

  /** kill -9 the server and start it again: same state unless told otherwise, same options unless told. */
  async restart({ options = this.options, stateDir = this.stateDir, between = async () => {} } = {}) {
    await this.guest.serverKill();
    await between();
    this.options = options;
    return this.guest.serverStart({ cmd: serveCommand(this.exportDir, stateDir, options) });
  }

  rotateKeys(): void {
    const r = this.guest.netnsRun(keysRotateArgv(this.stateDir), { timeout: 60_000 });
    if (r.status !== 0) throw new Error(`keys rotate failed (${r.status}): ${r.stderr}${r.stdout}`);
  }

  /** Drop the guest's page, dentry and inode caches so the next access asks the server. */
  async dropCaches(): Promise<void> {
    await this.guest.sh('sync; echo 3 > /proc/sys/vm/drop_caches', { timeout: 300 });
  }

  down(): Promise<string[]> {
    return this.guest.down();
  }
}

export const STALE_OR_EIO = /stale file handle|input\/output error|ESTALE|EIO/i;

/** Output of a guest command, for assertion messages. */
export function show(r: ExecResult): string {
  return `rc ${r.rc}${r.timedOut ? ' (timed out)' : ''}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`;
}
