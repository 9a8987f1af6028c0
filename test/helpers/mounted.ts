import { type Credentials, type Fh, Nfs3Client, ROOT } from './nfs3-client.js';
import { ServerProcess, type ServerProcessOptions } from './server-process.js';

/** A running server, a client connected to it (from a reserved port) and the export's root handle. */
export interface Mounted {
  readonly server: ServerProcess;
  readonly client: Nfs3Client;
  readonly root: Fh;
  /** Another connection to the same server, for clients with other options (e.g. an unprivileged port). */
  connect(o?: {
    credentials?: Credentials;
    privileged?: boolean;
    localAddress?: string;
  }): Promise<Nfs3Client>;
  /** Closes every client this fixture opened, stops the server and removes its folders. */
  close(): Promise<void>;
}

/** Starts a server with `opts` and mounts its export as `credentials` (root by default). */
export async function serveAndMount(
  opts: ServerProcessOptions & { credentials?: Credentials } = {},
): Promise<Mounted> {
  const server = await ServerProcess.start(opts);
  const clients: Nfs3Client[] = [];
  const connect = async (
    o: { credentials?: Credentials; privileged?: boolean; localAddress?: string } = {},
  ) => {
    const c = await Nfs3Client.connect({
      nfsPort: server.nfsPort,
      mountPort: server.mountPort,
      credentials: o.credentials ?? opts.credentials ?? ROOT,
      privileged: o.privileged ?? true,
      ...(o.localAddress !== undefined && { localAddress: o.localAddress }),
    });
    clients.push(c);
    return c;
  };
  try {
    const client = await connect();
    const root = await client.mount(server.name);
    return {
      server,
      client,
      root,
      connect,
      async close() {
        await Promise.all(clients.map((c) => c.close()));
        await server.cleanup();
      },
    };
  } catch (e) {
    await Promise.all(clients.map((c) => c.close()));
    await server.cleanup();
    throw e;
  }
}
