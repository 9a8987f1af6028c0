import { type Fh, Nfs3Client, ROOT } from '../../helpers/nfs3-client.js';
import { ServerProcess, type ServerProcessOptions } from '../../helpers/server-process.js';

/** How the server goes down before it comes back: a clean stop, or a crash nothing can flush after. */
export type Shutdown = 'sigterm' | 'kill9';

/** Options that let root act freely and libnfs connect from any port. */
export const OPEN_OPTIONS = 'rw,no_root_squash,insecure';

/**
 * A server that restarts with the same state folder, export and ports, and a client that reconnects
 * after each restart (the old connections die with the process).
 */
export class Gateway {
  private constructor(
    readonly server: ServerProcess,
    private current: Nfs3Client,
    /** The root handle from the first MNT: it must keep working after every restart. */
    readonly root: Fh,
  ) {}

  static async start(opts: ServerProcessOptions = {}): Promise<Gateway> {
    const server = await ServerProcess.start({ options: OPEN_OPTIONS, ...opts });
    try {
      const client = await connectTo(server);
      const root = await client.mount(server.name);
      return new Gateway(server, client, root);
    } catch (e) {
      await server.cleanup();
      throw e;
    }
  }

  get client(): Nfs3Client {
    return this.current;
  }

  get exportDir(): string {
    return this.server.exportDir;
  }

  /** Takes the server down (cleanly or by SIGKILL), starts it again and reconnects the client. */
  async restart(how: Shutdown = 'sigterm'): Promise<void> {
    await this.current.close().catch(() => undefined);
    if (how === 'kill9') await this.server.kill9();
    await this.server.restart();
    this.current = await connectTo(this.server);
  }

  async close(): Promise<void> {
    await this.current.close().catch(() => undefined);
    await this.server.cleanup();
  }
}

export function connectTo(server: ServerProcess): Promise<Nfs3Client> {
  return Nfs3Client.connect({ nfsPort: server.nfsPort, mountPort: server.mountPort, credentials: ROOT });
}
