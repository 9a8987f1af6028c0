import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath } from '../../helpers/server-process.js';

const run = promisify(execFile);

/** Runs `nfsgate ARGS... --state DIR` and returns its stdout; a non-zero exit throws with its stderr. */
export async function nfsgate(stateDir: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [cliPath(), ...args, '--state', stateDir], {
      timeout: 20_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`nfsgate ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The keys `nfsgate keys list` shows, by id. */
export async function listKeys(stateDir: string): Promise<Map<number, string>> {
  const out = await nfsgate(stateDir, 'keys', 'list');
  const keys = new Map<number, string>();
  for (const line of out.split('\n').slice(1)) {
    const m = /^(\d+)\s+(\w+)/.exec(line);
    if (m) keys.set(Number(m[1]), m[2]!);
  }
  return keys;
}

/** The id of the key that seals new handles. */
export async function activeKeyId(stateDir: string): Promise<number> {
  for (const [id, state] of await listKeys(stateDir)) if (state === 'active') return id;
  throw new Error('no active key listed');
}
