import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Syscalls that read a directory or an object's metadata: none may touch the export for a forged handle. */
export const INSPECTING_SYSCALLS = new Set([
  'getdents64',
  'getdents',
  'statx',
  'newfstatat',
  'fstatat64',
  'fstat',
  'readlinkat',
  'readlink',
  'openat',
  'openat2',
  'open',
  'name_to_handle_at',
  'open_by_handle_at',
  'faccessat',
  'faccessat2',
  'fgetxattr',
  'flistxattr',
  'pread64',
  'read',
  'lseek',
]);

/** One traced system call: the thread, its name and its raw argument text. */
export interface TracedCall {
  readonly tid: number;
  readonly name: string;
  readonly args: string;
  readonly line: string;
}

/** Fails with a clear message unless strace is installed and runs. */
export function requireStrace(): void {
  try {
    execFileSync('strace', ['-V'], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`strace is required for this test and did not run: ${(err as Error).message}`);
  }
}

/** The descriptors a process holds on objects under `dir` right now (from /proc/PID/fd). */
export function descriptorsUnder(pid: number, dir: string): Set<number> {
  const fds = new Set<number>();
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${name}`);
      if (target === dir || target.startsWith(`${dir}/`)) fds.add(Number(name));
    } catch {
      // closed while we looked
    }
  }
  return fds;
}

/**
 * strace attached to a running process (every thread, `-f`), tracing file and descriptor syscalls into a
 * file until `stop()`.
 */
export class Tracer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly outFile: string,
    private readonly exited: Promise<void>,
  ) {}

  static async attach(pid: number, outFile: string, timeoutMs = 10_000): Promise<Tracer> {
    const child = spawn(
      'strace',
      ['-f', '-qq', '-p', String(pid), '-e', 'trace=%file,%desc', '-o', outFile],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => {
      stderr += c;
    });
    // strace writes nothing when it has attached (-qq): wait until every thread of the process is traced.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`strace exited at once: ${stderr}`);
      if (allThreadsTraced(pid, child.pid!)) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`strace did not attach to ${pid} within ${timeoutMs} ms: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return new Tracer(child, outFile, exited);
  }

  /** Detaches and returns every call traced. */
  async stop(): Promise<TracedCall[]> {
    this.child.kill('SIGINT');
    await this.exited;
    return parseTrace(readFileSync(this.outFile, 'utf8'));
  }
}

function allThreadsTraced(pid: number, tracerPid: number): boolean {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.every((tid) => {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      return new RegExp(`^TracerPid:\\s+${tracerPid}$`, 'm').test(status);
    } catch {
      return true; // the thread ended
    }
  });
}

/** Parses `strace -f -o` lines, joining `<unfinished ...>` calls with their `<... resumed>` halves. */
export function parseTrace(text: string): TracedCall[] {
  const calls: TracedCall[] = [];
  const unfinished = new Map<number, { name: string; args: string }>();
  for (const line of text.split('\n')) {
    const resumed = /^(\d+)\s+<\.\.\. ([a-z0-9_]+) resumed>(.*)$/.exec(line);
    if (resumed) {
      const tid = Number(resumed[1]);
      const first = unfinished.get(tid);
      unfinished.delete(tid);
      const args = `${first?.args ?? ''}${resumed[3]!}`;
      calls.push({ tid, name: resumed[2]!, args, line: `${tid} ${resumed[2]}(${args}` });
      continue;
    }
    const m = /^(\d+)\s+([a-z0-9_]+)\((.*)$/.exec(line);
    if (!m) continue;
    const tid = Number(m[1]);
    const cut = m[3]!.replace(/\s*<unfinished \.\.\.>$/, '');
    if (cut !== m[3]) unfinished.set(tid, { name: m[2]!, args: cut });
    else calls.push({ tid, name: m[2]!, args: m[3]!, line });
  }
  return calls;
}

/** The first argument of a call as a descriptor number, when it is one. */
export function firstFd(call: TracedCall): number | undefined {
  const m = /^(-?\d+)[,)]/.exec(call.args);
  return m ? Number(m[1]) : undefined;
}

/** The descriptor a call returned, for the calls that create one. */
function returnedFd(call: TracedCall): number | undefined {
  if (!/^(open|openat|openat2|dup|dup2|dup3|fcntl|open_by_handle_at)$/.test(call.name)) return undefined;
  if (call.name === 'fcntl' && !/F_DUPFD/.test(call.args)) return undefined;
  const m = /\)\s+=\s+(\d+)(\s|$)/.exec(call.args);
  return m ? Number(m[1]) : undefined;
}

/**
 * The calls that touched the export: naming its path or a /proc/self/fd/ path, or inspecting one of
 * the export's descriptors (those held before tracing and those opened on export objects since).
 */
export function exportTouches(
  calls: readonly TracedCall[],
  exportDir: string,
  exportFds: ReadonlySet<number>,
): TracedCall[] {
  const fds = new Set(exportFds);
  const touches: TracedCall[] = [];
  for (const c of calls) {
    const fd = firstFd(c);
    const onExportFd = fd !== undefined && fds.has(fd);
    const namesExport = c.args.includes(exportDir) || c.args.includes('/proc/self/fd/');
    if (c.name === 'close' && onExportFd) fds.delete(fd);
    const opened = returnedFd(c);
    if (opened !== undefined && (namesExport || onExportFd)) fds.add(opened);
    if (namesExport || (onExportFd && INSPECTING_SYSCALLS.has(c.name))) touches.push(c);
  }
  return touches;
}
