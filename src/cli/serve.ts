import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type ConfigResult,
  describeProblems,
  exportFromCommandLine,
  parseExportsFile,
  parseJsonConfig,
  resolveHostNames,
  type ServerConfig,
} from '../config/index.js';
import { createLogger } from '../observe/logger.js';
import { NfsgateServer } from '../server/server.js';
import { StoreRefusedError } from '../store/errors.js';
import { type FlagSpec, type ParsedArgs, parseArgs, portFlag, stringFlag, UsageError } from './args.js';
import { defaultStateDir } from './state-dir.js';

export const SERVE_USAGE = `usage: nfsgate serve [DIR] [options]
Serves DIR (default ./export, created if missing) over NFSv3 until SIGINT/SIGTERM.
  --state DIR          state folder (keys, catalog, mounts); default ${defaultStateDir()}
  --host ADDR          address to listen on (default 127.0.0.1)
  --nfs-port N         NFS port (default 2049; 0 picks a free one)
  --mount-port N       MOUNT port (default 20048; 0 picks a free one)
  --portmap            serve a portmapper on 111, or register with the system's rpcbind (default)
  --no-portmap         neither: clients must be given the ports
  --name PATH          the MOUNT path of DIR (default /export)
  -o, --options OPTS   exports(5) options for DIR, e.g. rw,no_root_squash,insecure
                       (default rw,root_squash,secure,sync)
  --clients SPECS      comma-separated client list for DIR (addresses, CIDRs, *); default *
  --exports FILE       exports in /etc/exports syntax instead of DIR
  --config FILE        exports in JSON instead of DIR
  --metrics HOST:PORT  serve Prometheus /metrics and /healthz there
  --log-level LEVEL    trace, debug, info (default), warn, error`;

const SPECS: FlagSpec[] = [
  { name: 'state', kind: 'string' },
  { name: 'host', kind: 'string' },
  { name: 'nfs-port', kind: 'string' },
  { name: 'mount-port', kind: 'string' },
  { name: 'portmap', kind: 'boolean' },
  { name: 'name', kind: 'string' },
  { name: 'options', kind: 'string', short: 'o' },
  { name: 'clients', kind: 'string' },
  { name: 'exports', kind: 'string' },
  { name: 'config', kind: 'string' },
  { name: 'metrics', kind: 'string' },
  { name: 'log-level', kind: 'string' },
  { name: 'help', kind: 'boolean', short: 'h' },
];

function unwrap<T>(r: ConfigResult<T>): T {
  if (!r.ok) throw new UsageError(describeProblems(r.problems));
  return r.value;
}

async function loadConfig(p: ParsedArgs): Promise<{ config: ServerConfig; createRoots: boolean }> {
  const exportsFile = stringFlag(p, 'exports');
  const jsonFile = stringFlag(p, 'config');
  if (exportsFile && jsonFile) throw new UsageError('--exports and --config exclude each other');
  if ((exportsFile || jsonFile) && p.positionals.length > 0)
    throw new UsageError('give either DIR or an exports file');
  let config: ServerConfig;
  let createRoots = false;
  if (exportsFile) config = unwrap(parseExportsFile(readFileSync(exportsFile, 'utf8'), exportsFile));
  else if (jsonFile) config = unwrap(parseJsonConfig(readFileSync(jsonFile, 'utf8')));
  else {
    if (p.positionals.length > 1) throw new UsageError('one DIR at most; use --exports for several');
    const dir = resolve(p.positionals[0] ?? 'export');
    createRoots = p.positionals.length === 0;
    // exports(5) defaults to ro; a folder served from the command line is meant to be written to, so rw
    // comes first and `-o ro` still wins.
    const options = `rw${stringFlag(p, 'options') ? `,${stringFlag(p, 'options')}` : ''}`;
    const clients = stringFlag(p, 'clients')?.split(',').filter(Boolean);
    config = unwrap(
      exportFromCommandLine({
        dir,
        name: stringFlag(p, 'name') ?? '/export',
        options,
        ...(clients !== undefined && { clients }),
      }),
    );
  }
  const resolved = await resolveHostNames(config);
  if (resolved.unresolved.length > 0) {
    process.stderr.write(
      `nfsgate: these client names do not resolve and match nobody: ${resolved.unresolved.join(', ')}\n`,
    );
  }
  return { config: resolved.config, createRoots };
}

function hostPort(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--metrics: expected HOST:PORT, got ${text}`);
  return { host: text.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

export async function serve(argv: string[]): Promise<number> {
  const p = parseArgs(argv, SPECS);
  if (p.flags.get('help')) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const { config, createRoots } = await loadConfig(p);
  const logger = createLogger(stringFlag(p, 'log-level') ?? process.env.NFSGATE_LOG_LEVEL ?? 'info');
  const host = stringFlag(p, 'host') ?? '127.0.0.1';
  const metrics = stringFlag(p, 'metrics');
  let server: NfsgateServer;
  try {
    server = await NfsgateServer.start({
      config,
      stateDir: resolve(stringFlag(p, 'state') ?? defaultStateDir()),
      host,
      nfsPort: portFlag(p, 'nfs-port', 2049),
      mountPort: portFlag(p, 'mount-port', 20048),
      portmap: p.flags.get('portmap') !== false,
      ...(metrics !== undefined && { metrics: hostPort(metrics) }),
      logger,
      createRoots,
    });
  } catch (err) {
    if (err instanceof StoreRefusedError) {
      process.stderr.write(`nfsgate: refusing to start: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  for (const exp of server.exportList) {
    process.stdout.write(
      [
        `nfsgate: serving ${exp.path} as ${exp.name}`,
        `  Linux:  mount -t nfs -o vers=3,proto=tcp,port=${server.nfsPort},mountport=${server.mountPort},mountproto=tcp,nolock ${shown}:${exp.name} /mnt`,
        `  libnfs: nfs://${shown}${exp.name}?version=3&nfsport=${server.nfsPort}&mountport=${server.mountPort}`,
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      server.stop().then(done, (err) => {
        logger.error({ err }, 'stop failed');
        done();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  logger.flush();
  return 0;
}
