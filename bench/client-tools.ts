import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/repo.js';

/** The benchmark's C clients: nfsbench (NFSv3 over libnfs) and tcpceil (loopback TCP ceilings). */
export interface ClientTools {
  readonly nfsbench: string;
  readonly tcpceil: string;
}

/**
 * Builds `bench/nfsbench/` with make (a no-op when nothing changed) and returns the binaries' paths, or
 * why they could not be built (nfsbench needs libnfs-dev).
 */
export function buildClientTools(): { ok: true; tools: ClientTools } | { ok: false; error: string } {
  const dir = join(repoRoot(), 'bench', 'nfsbench');
  try {
    execFileSync('make', ['-s', '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err);
    return {
      ok: false,
      error: `make -C bench/nfsbench failed (nfsbench needs libnfs-dev: apt-get install libnfs-dev):\n${stderr}`,
    };
  }
  return { ok: true, tools: { nfsbench: join(dir, 'nfsbench'), tcpceil: join(dir, 'tcpceil') } };
}
