import path from 'node:path';
import { findRepoRoot, shq } from './vm/index.js';

/** exports(5) options as the CLI's -o takes them, e.g. 'rw,no_root_squash,insecure'. */
export type ExportOptions = string & { readonly __exportOptions: unique symbol };
export const exportOptions = (...opts: string[]): ExportOptions => opts.join(',') as ExportOptions;

export const NFS_PORT = 2049;
export const MOUNT_PORT = 20048;
export const PORTMAP_PORT = 111;
export const MOUNT_PATH = '/export';

/**
 * argv prefix that runs the nfsgate CLI: the build in dist/, or NFSGATE_E2E_CLI (an
 * executable taking the same arguments) to hold the suite against another server.
 */
export function cliArgv(): string[] {
  const alt = process.env.NFSGATE_E2E_CLI;
  if (alt) return [alt];
  return [process.execPath, path.join(findRepoRoot(), 'dist', 'src', 'cli', 'main.js')];
}

/** The `serve` command line, for `sh -c` inside the namespace (exec: the server leads its group). */
export function serveCommand(exportDir: string, stateDir: string, options: ExportOptions): string {
  const argv = [
    ...cliArgv(),
    'serve',
    exportDir,
    '--state',
    stateDir,
    '--host',
    '0.0.0.0',
    '--nfs-port',
    String(NFS_PORT),
    '--mount-port',
    String(MOUNT_PORT),
    '--portmap',
    '-o',
    options,
  ];
  return `exec ${argv.map(shq).join(' ')}`;
}

export function keysRotateArgv(stateDir: string): string[] {
  return [...cliArgv(), 'keys', 'rotate', '--state', stateDir];
}
