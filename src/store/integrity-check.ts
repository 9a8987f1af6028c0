import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BackgroundCheck {
  /** What is wrong with the file ([] when it is sound); rejects if the check could not run or was stopped. */
  readonly result: Promise<string[]>;
  /** Stops the check at once (at shutdown: a server does not wait for it). */
  stop(): void;
}

const CHECKER = fileURLToPath(new URL('./integrity-check-process.js', import.meta.url));

/**
 * Checks the whole database file with SQLite's quick_check (every page, so about a second per million
 * catalog objects) on a read-only connection in a child process: the event loop never waits for it, and
 * unlike a worker thread, which cannot be stopped inside SQLite, it ends at once when stopped.
 */
export function checkIntegrityInBackground(file: string): BackgroundCheck {
  const child = spawn(process.execPath, [CHECKER, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const result = new Promise<string[]>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve(JSON.parse(out) as string[]);
      else
        reject(
          new Error(`the integrity check ended with ${signal ?? `code ${code}`}: ${err.trim().slice(-500)}`),
        );
    });
  });
  return { result, stop: () => child.kill('SIGKILL') };
}
