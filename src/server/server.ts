import type { Server as HttpServer } from 'node:http';
import { Catalog } from '../catalog/catalog.js';
import type { ExportConfig, ServerConfig } from '../config/index.js';
import { Keyring } from '../handles/keyring.js';
import { HandleSealer } from '../handles/sealer.js';
import { MountService, mountPrograms } from '../mount/index.js';
import type { ExportRuntime } from '../nfs3/export-runtime.js';
import { Objects } from '../nfs3/objects.js';
import { nfs3Program } from '../nfs3/program.js';
import { startHttp } from '../observe/http.js';
import type { Logger } from '../observe/logger.js';
import { type LoopLagWatch, watchEventLoop } from '../observe/loop-lag.js';
import { ServerMetrics } from '../observe/metrics.js';
import { ownRegistrations, type Portmapper, startPortmapper } from '../portmap/index.js';
import { RpcServer } from '../rpc/server.js';
import type { ProgramVersion } from '../rpc/types.js';
import { ExportRegistry } from '../store/exports.js';
import { type BackgroundCheck, checkIntegrityInBackground } from '../store/integrity-check.js';
import { MountList } from '../store/mounts.js';
import { recordBoot } from '../store/server-state.js';
import type { Store } from '../store/store.js';
import { fsOpsStatus } from '../vfs/fs-ops.js';
import { kernelHandles } from '../vfs/kernel-handles.js';
import { NodeCache } from '../vfs/node-cache.js';
import { closeExport, openExport } from './export-runtime.js';
import { mountPathResolver } from './mount-paths.js';
import { RefusalLog } from './refusal-log.js';
import { openStateStore } from './state-store.js';

export interface ServeOptions {
  readonly config: ServerConfig;
  readonly stateDir: string;
  readonly host: string;
  readonly nfsPort: number;
  readonly mountPort: number;
  /** Serve a portmapper on 111, or register with the system's rpcbind when 111 is taken. */
  readonly portmap: boolean;
  /** Prometheus /metrics and /healthz; off when undefined. */
  readonly metrics?: { readonly host: string; readonly port: number };
  readonly logger: Logger;
  /** Create missing export directories (the default export of `nfsgate serve`). */
  readonly createRoots?: boolean;
}

/** A running nfsgate: NFSv3 + MOUNT v3 (+ portmap) over the persistent store. */
export class NfsgateServer {
  private keyringTimer: NodeJS.Timeout | undefined;
  private loopWatch: LoopLagWatch | undefined;
  private http: HttpServer | undefined;
  private portmapper: Portmapper | undefined;
  private stopped = false;
  /** What the background check of the whole state database found wrong (see checkStoreInBackground). */
  private storeDamage: readonly string[] = [];
  private storeCheck: BackgroundCheck | undefined;

  private constructor(
    private readonly log: Logger,
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly exports: Map<number, ExportRuntime>,
    private readonly rpc: RpcServer,
    private readonly nodes: NodeCache,
    readonly metrics: ServerMetrics,
    readonly nfsPort: number,
    readonly mountPort: number,
    readonly bootCount: number,
  ) {}

  static async start(o: ServeOptions): Promise<NfsgateServer> {
    const log = o.logger;
    const privileged = process.getuid?.() === 0;
    const store = openStateStore(o.stateDir);
    try {
      return await NfsgateServer.startWith(o, log, store, privileged);
    } catch (err) {
      store.close();
      throw err;
    }
  }

  private static async startWith(
    o: ServeOptions,
    log: Logger,
    store: Store,
    privileged: boolean,
  ): Promise<NfsgateServer> {
    if (store.openedAtVersion === 0) {
      log.warn(
        { stateDir: o.stateDir },
        'new state folder: file handles issued with any earlier state folder are now STALE and clients must mount again',
      );
    }
    const boot = recordBoot(store);
    const keyring = Keyring.open(store);
    const registry = new ExportRegistry(store);
    const catalog = new Catalog(store, { onError: (err) => log.error({ err }, 'catalog commit failed') });
    const metrics = new ServerMetrics();

    const exports = new Map<number, ExportRuntime>();
    const byConfig = new Map<ExportConfig, ExportRuntime>();
    const knownBefore = registry.listExports();
    for (const config of o.config.exports) {
      const exp = await openExport(config, registry, catalog, {
        privileged,
        createRoot: o.createRoots ?? false,
      });
      if (knownBefore.length > 0 && !knownBefore.some((e) => e.id === exp.id)) {
        log.warn(
          {
            export: exp.name,
            path: exp.path,
            id: exp.id,
            known: knownBefore.map((e) => `${e.id}:${e.path}`),
          },
          'export is new to this state folder: handles issued for it under another state folder are STALE',
        );
      }
      const before = knownBefore.find((e) => e.id === exp.id);
      if (before?.identity !== undefined && before.identity !== exp.identity) {
        log.warn(
          { export: exp.name, path: exp.path, was: before.identity, now: exp.identity },
          'the export identifies its objects differently than before: their handles may now be STALE',
        );
      }
      if (exp.identity === 'inode-number') {
        log.warn(
          { export: exp.name, path: exp.path, identity: exp.identity },
          'the exported filesystem has neither birth times nor file handles with a generation: an inode number reused by a new file cannot be told apart, so objects are found again only under an unchanged name, never by searching',
        );
      }
      exports.set(exp.id, exp);
      byConfig.set(config, exp);
    }
    await catalog.durable();

    const refusalLog = new RefusalLog(log);
    const kernel = kernelHandles();
    const engine = fsOpsStatus();
    if (engine.kind === 'portable')
      log.warn(
        { reason: engine.reason },
        'the native addon is not in use: filesystem calls go through node:fs and /proc/self/fd paths (slower; times in microseconds; no kernel file handles, so objects without birth times are found only under unchanged names)',
      );
    const sealer = new HandleSealer(keyring, (id) => exports.get(id)?.uuid);
    const nodes = new NodeCache();
    const objects = new Objects({
      sealer,
      activeKey: () => keyring.active(),
      ...(kernel && { kernelHandles: kernel }),
      onFoundAgain: (how, obj) =>
        log.info({ object: obj.id.toString(), how }, 'object found again after it moved behind the server'),
      catalog,
      nodes,
      exports,
      onRefusal: (reason) => {
        metrics.handleRefusals.inc({ reason });
        refusalLog.note(reason);
      },
    });
    const mounts = new MountList(store);
    const mountService = new MountService({
      exports: () => o.config.exports,
      mounts,
      resolveMountPath: mountPathResolver(objects, (c) => byConfig.get(c)),
      logger: log,
    });

    const rpc = new RpcServer({
      logger: log,
      onCallDone: (ctx, name, ms, outcome) => {
        metrics.calls.inc({ procedure: name, outcome });
        metrics.latency.observe(ms / 1000, { procedure: name });
        if (log.isLevelEnabled('debug'))
          log.debug({ xid: ctx.xid, procedure: name, ms, outcome, peer: ctx.peer.address }, 'call');
      },
    });
    const programs: ProgramVersion[] = [
      nfs3Program({ objects, writeVerifier: boot.writeVerifier, logger: log }),
      ...mountPrograms(mountService),
    ];
    for (const p of programs) rpc.register(p);
    const nfsPort = await rpc.listenTcp(o.host, o.nfsPort);
    await rpc.listenUdp(o.host, nfsPort);
    const mountPort = await rpc.listenTcp(o.host, o.mountPort);
    await rpc.listenUdp(o.host, mountPort);

    // Not count(*): that reads every row of the catalog at each scrape.
    metrics.catalogObjects.set(() => catalog.size);
    metrics.mounts.set(() => mounts.listMounts().length);
    for (const state of ['active', 'verify', 'retired'] as const) {
      metrics.keys.set(() => keyring.list().filter((k) => k.state === state).length, { state });
    }
    metrics.up.set(1);
    const loopWatch = watchEventLoop((seconds) => metrics.loopBlock.observe(seconds));
    metrics.loopBlockMax.set(() => loopWatch.maxSeconds);

    const server = new NfsgateServer(
      log,
      store,
      catalog,
      exports,
      rpc,
      nodes,
      metrics,
      nfsPort,
      mountPort,
      boot.bootCount,
    );
    server.loopWatch = loopWatch;
    // Keys rotated or retired by `nfsgate keys` in another process are picked up within a second.
    server.keyringTimer = setInterval(() => {
      try {
        if (keyring.refreshIfChanged())
          log.info({ keys: keyring.list().map((k) => `${k.id}:${k.state}`) }, 'keyring changed');
      } catch (err) {
        log.error({ err }, 'keyring refresh failed');
      }
    }, 1000);
    server.keyringTimer.unref();
    if (!store.checkedWhole) server.checkStoreInBackground();

    if (o.portmap) {
      const nfsProgs = programs.filter((p) => p.prog === 100003);
      const mountProgs = programs.filter((p) => p.prog === 100005);
      const registrations = [
        ...ownRegistrations(o.host, { tcp: nfsPort, udp: nfsPort }, nfsProgs),
        ...ownRegistrations(o.host, { tcp: mountPort, udp: mountPort }, mountProgs),
      ];
      const started = await startPortmapper({ host: o.host, registrations, logger: log });
      if (started.ok) server.portmapper = started.portmapper;
      else log.warn({ error: started.error }, 'no portmapper: clients must be given the ports');
    }
    if (o.metrics) {
      server.http = await startHttp(
        metrics,
        { problems: () => server.problems() },
        o.metrics.host,
        o.metrics.port,
      );
    }
    log.info(
      {
        nfsPort,
        mountPort,
        host: o.host,
        bootCount: boot.bootCount,
        portmap: server.portmapper?.kind ?? 'none',
        exports: [...exports.values()].map((e) => ({
          id: e.id,
          name: e.name,
          path: e.path,
          fsid: e.fsid.toString(),
          identity: e.identity,
        })),
        privileged,
        filesystemCalls:
          engine.kind === 'native'
            ? 'native addon, on the thread pool'
            : `portable node:fs on the thread pool (${engine.reason})`,
        kernelHandles: kernel ? 'in use' : 'not in use: moved objects are found by searching the export',
        user: privileged
          ? 'root'
          : `uid ${process.getuid?.()} (unprivileged: acting as this user for every client)`,
      },
      'nfsgate ready',
    );
    return server;
  }

  problems(): string[] {
    const problems = this.stopped ? ['stopped'] : [];
    if (this.storeDamage.length > 0)
      problems.push(`state database damaged: ${this.storeDamage.slice(0, 3).join('; ')}`);
    return problems;
  }

  /**
   * Opening a large store checked every table except the catalog's, whose check takes time in
   * proportion to their size; the whole file is checked now, off the event loop, while the server
   * already serves. Damage found is logged and reported by /healthz: the operator restores the state
   * folder from a backup (handles of objects the catalog loses become STALE).
   */
  private checkStoreInBackground(): void {
    const started = Date.now();
    const check = checkIntegrityInBackground(this.store.file);
    this.storeCheck = check;
    check.result.then(
      (problems) => {
        if (problems.length === 0) {
          this.log.debug({ ms: Date.now() - started }, 'state database checked: sound');
          return;
        }
        this.storeDamage = problems;
        this.log.error(
          { file: this.store.file, problems: problems.slice(0, 10) },
          'state database damaged (quick_check): restore the state folder from a backup',
        );
      },
      (err: unknown) => {
        if (!this.stopped) this.log.warn({ err }, 'the background check of the state database could not run');
      },
    );
  }

  get exportList(): readonly ExportRuntime[] {
    return [...this.exports.values()];
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.keyringTimer);
    this.loopWatch?.stop();
    this.storeCheck?.stop();
    this.metrics.up.set(0);
    await this.portmapper?.close().catch((err) => this.log.warn({ err }, 'portmap unregister failed'));
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    await this.rpc.close();
    await this.catalog.durable();
    this.catalog.close();
    this.nodes.close();
    for (const exp of this.exports.values()) closeExport(exp);
    this.store.close();
    this.log.info('nfsgate stopped');
  }
}
