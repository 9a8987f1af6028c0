import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Catalog } from '../catalog/catalog.js';
import { Keyring, KeyringError } from '../handles/keyring.js';
import { readV1Fields, V1_LENGTH } from '../handles/layout.js';
import { HandleSealer } from '../handles/sealer.js';
import { openStateStore } from '../server/state-store.js';
import { ExportRegistry } from '../store/exports.js';
import { asObjectId } from '../store/ids.js';
import { MountList } from '../store/mounts.js';
import type { Store } from '../store/store.js';
import { O_NOFOLLOW, O_PATH } from '../vfs/proc-path.js';
import { identityOfFd } from '../vfs/reuse-tag.js';
import { type FlagSpec, parseArgs, stringFlag, UsageError } from './args.js';
import { defaultStateDir } from './state-dir.js';

const STATE: FlagSpec[] = [{ name: 'state', kind: 'string' }];

function withStore<T>(argv: string[], fn: (store: Store, positionals: string[], stateDir: string) => T): T {
  const p = parseArgs(argv, STATE);
  const stateDir = stringFlag(p, 'state') ?? defaultStateDir();
  const store = openStateStore(stateDir);
  try {
    return fn(store, p.positionals, stateDir);
  } finally {
    store.close();
  }
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const when = (secs: number) => new Date(secs * 1000).toISOString();

export function keys(argv: string[]): number {
  const [verb, ...rest] = argv;
  return withStore(rest, (store, positionals) => {
    const keyring = Keyring.open(store);
    switch (verb) {
      case 'list':
        out('ID  STATE    CREATED');
        for (const k of keyring.list())
          out(`${String(k.id).padEnd(3)} ${k.state.padEnd(8)} ${when(k.createdAt)}`);
        return 0;
      case 'rotate': {
        const previous = keyring.active();
        const next = keyring.rotate();
        out(`key ${next.id} is now active; key ${previous.id} still verifies the handles it sealed`);
        out('a running server picks the change up within a second');
        return 0;
      }
      case 'retire': {
        const id = Number(positionals[0]);
        if (!Number.isInteger(id)) throw new UsageError('usage: nfsgate keys retire ID');
        try {
          keyring.retire(id);
        } catch (err) {
          if (err instanceof KeyringError) {
            process.stderr.write(`nfsgate: ${err.message}\n`);
            return 1;
          }
          throw err;
        }
        out(`key ${id} retired: handles sealed with it are now answered NFS3ERR_STALE`);
        return 0;
      }
      default:
        throw new UsageError('usage: nfsgate keys list|rotate|retire ID [--state DIR]');
    }
  });
}

export function exportsList(argv: string[]): number {
  return withStore(argv.slice(1), (store) => {
    out('ID  STATE     FSID                  NAME             IDENTITY     PATH');
    for (const e of new ExportRegistry(store).listExports()) {
      out(
        `${String(e.id).padEnd(3)} ${e.state.padEnd(9)} ${e.fsid.toString().padEnd(21)} ${e.name.padEnd(16)} ${(e.identity ?? '-').padEnd(12)} ${e.path}`,
      );
    }
    return 0;
  });
}

export function status(argv: string[]): number {
  return withStore(argv, (store, _p, stateDir) => {
    const db = store.db;
    const boots = db.prepare('SELECT * FROM server_state').all() as Record<string, unknown>[];
    out(`state folder: ${stateDir}`);
    out(`database:     ${store.file} (schema version ${db.pragma('user_version', { simple: true })})`);
    out(`server state: ${JSON.stringify(boots[0] ?? {})}`);
    const keyring = Keyring.open(store);
    out(
      `keys:         ${keyring
        .list()
        .map((k) => `${k.id}:${k.state}`)
        .join(' ')}`,
    );
    const registry = new ExportRegistry(store);
    for (const e of registry.listExports())
      out(`export ${e.id}:     ${e.name} -> ${e.path} (${e.state}, fsid ${e.fsid})`);
    out(`catalog:      ${db.prepare('SELECT count(*) FROM objects').pluck().get()} objects`);
    const mounts = new MountList(store).listMounts();
    out(`mounts:       ${mounts.length ? mounts.map((m) => `${m.client}:${m.dirpath}`).join(' ') : 'none'}`);
    return 0;
  });
}

/** Decodes a handle: which key and export sealed it, which object it names, where that is now, and whether it is valid. */
export function handleInspect(argv: string[]): number {
  const [verb, ...rest] = argv;
  if (verb !== 'inspect') throw new UsageError('usage: nfsgate handle inspect HEX [--state DIR]');
  return withStore(rest, (store, positionals) => {
    const hex = (positionals[0] ?? '').replace(/^0x/, '').replace(/[\s:]/g, '');
    if (!/^([0-9a-fA-F]{2})+$/.test(hex))
      throw new UsageError('usage: nfsgate handle inspect HEX [--state DIR]');
    const raw = Buffer.from(hex, 'hex');
    const keyring = Keyring.open(store);
    const registry = new ExportRegistry(store);
    const catalog = new Catalog(store);
    try {
      out(`length:     ${raw.length} bytes`);
      if (raw.length !== V1_LENGTH) {
        out(`verdict:    BADHANDLE (not ${V1_LENGTH} bytes)`);
        return 1;
      }
      const f = readV1Fields(raw);
      out(`format:     ${raw[0]}`);
      const key = keyring.list().find((k) => k.id === f.keyId);
      out(`key:        ${f.keyId} (${key ? key.state : 'unknown'})`);
      const exp = registry.byId(f.exportId);
      out(`export:     ${f.exportId}${exp ? ` ${exp.name} -> ${exp.path} (${exp.state})` : ' (unknown)'}`);
      out(`object:     ${f.objectId}  generation ${f.generation}`);
      const sealer = new HandleSealer(keyring, (id) => registry.uuidOf(id));
      const opened = sealer.open(raw);
      const obj = f.objectId >= 1n ? catalog.get(asObjectId(f.objectId)) : undefined;
      if (obj && exp) {
        const chain = catalog.pathOf(obj.id);
        const rel = chain ? chain.map((l) => l.name.toString()).join('/') : undefined;
        const path = rel === undefined ? undefined : join(exp.path, rel);
        out(`path:       ${path ?? '(no path known)'}  [catalog: ${obj.state}, fileid ${obj.ident.ino}]`);
        if (path !== undefined) {
          let onDisk = 'missing';
          try {
            const fd = openSync(path, O_PATH | O_NOFOLLOW);
            try {
              const now = identityOfFd(fd, fstatSync(fd, { bigint: true }));
              onDisk =
                now.ino === obj.ident.ino && now.btime === obj.ident.btime
                  ? 'present, same object'
                  : 'another object under that name now';
            } finally {
              closeSync(fd);
            }
          } catch {}
          out(`on disk:    ${onDisk}`);
        }
      }
      if (!opened.ok) {
        out(
          `verdict:    ${opened.reason === 'badhandle-length' || opened.reason === 'badhandle-format' ? 'BADHANDLE' : 'STALE'} (${opened.reason})`,
        );
        return 1;
      }
      if (obj?.state !== 'live' || obj.generation !== f.generation) {
        out(
          `verdict:    STALE (${!obj ? 'unknown object' : obj.state !== 'live' ? 'object gone' : 'generation mismatch'})`,
        );
        return 1;
      }
      out('verdict:    valid (sealed by this server; resolves to the object above)');
      return 0;
    } finally {
      catalog.close();
    }
  });
}
