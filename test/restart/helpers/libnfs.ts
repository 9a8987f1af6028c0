import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ServerProcess } from '../../helpers/server-process.js';

const run = promisify(execFile);
const TOOL_TIMEOUT_MS = 20_000;

/** A libnfs URL for `path` inside the server's export (libnfs mounts the export, then walks `path`). */
export function nfsUrl(server: ServerProcess, path = ''): string {
  const rel = path.replace(/^\/+/, '');
  return `nfs://127.0.0.1${server.name}${rel ? `/${rel}` : ''}?version=3&nfsport=${server.nfsPort}&mountport=${server.mountPort}`;
}

/** Runs a command and returns its stdout; a missing tool or a non-zero exit throws, naming both. */
export async function tool(command: string, ...args: string[]): Promise<Buffer> {
  try {
    const { stdout } = await run(command, args, { timeout: TOOL_TIMEOUT_MS, encoding: 'buffer' });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stderr?.toString() ?? ''}`);
  }
}

/** The entry names `nfs-ls` prints for a directory of the export (its last column). */
export async function nfsLs(server: ServerProcess, dir = ''): Promise<string[]> {
  const out = (await tool('nfs-ls', nfsUrl(server, dir))).toString('utf8');
  return out
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => l.trim().split(/\s+/).at(-1)!)
    .filter((n) => n !== '.' && n !== '..')
    .sort();
}

/** A file's content through `nfs-cat`. */
export function nfsCat(server: ServerProcess, file: string): Promise<Buffer> {
  return tool('nfs-cat', nfsUrl(server, file));
}

/** Copies a local file into the export with `nfs-cp`. */
export async function nfsCpTo(server: ServerProcess, localFile: string, file: string): Promise<void> {
  await tool('nfs-cp', localFile, nfsUrl(server, file));
}
