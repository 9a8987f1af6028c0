import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nfs3Client } from '../test/helpers/nfs3-client.js';
import { freePort } from '../test/helpers/server-process.js';
import type { NfsTarget } from './nfs-server.js';

const START_TIMEOUT_MS = 20_000;
const NAME = '/export';

/**
 * NFS-Ganesha (Debian's nfs-ganesha + nfs-ganesha-vfs) exporting a fresh directory over NFSv3 with the
 * VFS FSAL, for side-by-side figures. Ganesha registers with rpcbind and exits when it cannot, so it is
 * started where one runs (bench/side-by-side.sh gives it a private network namespace with its own).
 */
export class GaneshaProcess implements NfsTarget {
  readonly name = NAME;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly exportDir: string,
    readonly nfsPort: number,
    readonly mountPort: number,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(): Promise<GaneshaProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'nfsgate-bench-ganesha-'));
    const exportDir = join(dir, 'export');
    mkdirSync(exportDir);
    const [nfsPort, mountPort] = [await freePort(), await freePort()];
    const config = join(dir, 'ganesha.conf');
    mkdirSync(join(dir, 'recovery'));
    writeFileSync(config, configText(dir, exportDir, nfsPort, mountPort));
    const log = join(dir, 'ganesha.log');
    const child = spawn(
      'ganesha.nfsd',
      ['-F', '-f', config, '-L', log, '-p', join(dir, 'ganesha.pid'), '-N', 'NIV_WARN'],
      { stdio: 'ignore' },
    );
    const g = new GaneshaProcess(child, dir, exportDir, nfsPort, mountPort);
    try {
      await g.waitUntilServing(log);
    } catch (err) {
      await g.stop();
      throw err;
    }
    return g;
  }

  /** Stops the server (SIGTERM, then SIGKILL) and removes its folder. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Until MOUNT of the export answers; the log's tail when Ganesha exits or never answers. */
  private async waitUntilServing(log: string): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`ganesha.nfsd exited:\n${tail(log)}`);
      try {
        const client = await Nfs3Client.connect({
          nfsPort: this.nfsPort,
          mountPort: this.mountPort,
          privileged: false,
        });
        try {
          await client.mount(NAME);
          return;
        } finally {
          await client.close();
        }
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`ganesha.nfsd did not serve within ${START_TIMEOUT_MS} ms (${err}):\n${tail(log)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** NFSv3 over TCP only, no NLM or RQUOTA, MNT by the pseudo path, root not squashed (as nfsgate is run for
 * its figures), VFS FSAL, recovery state kept in the server's own folder. */
function configText(dir: string, exportDir: string, nfsPort: number, mountPort: number): string {
  return `NFS_CORE_PARAM {
  NFS_Port = ${nfsPort};
  MNT_Port = ${mountPort};
  Enable_NLM = false;
  Enable_RQUOTA = false;
  Enable_UDP = false;
  Clustered = false;
  Protocols = 3;
  Mount_Path_Pseudo = true;
}
NFS_KRB5 { Active_krb5 = false; }
NFSV4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = ${join(dir, 'recovery')}; }
EXPORT {
  Export_Id = 1;
  Path = ${exportDir};
  Pseudo = ${NAME};
  Protocols = 3;
  Transports = TCP;
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  FSAL { Name = VFS; }
  CLIENT { Clients = *; Access_Type = RW; Squash = No_Root_Squash; }
}
LOG { Default_Log_Level = WARN; }
`;
}
