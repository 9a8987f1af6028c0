import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Store } from '../store/store.js';

declare const keyIdBrand: unique symbol;
/** A key's id, carried in every handle as a u8 (0 is never assigned). */
export type KeyId = number & { readonly [keyIdBrand]: true };

/** active: seals new handles. verify: still opens handles. retired: its handles are stale. */
export type KeyState = 'active' | 'verify' | 'retired';

export interface KeyInfo {
  readonly id: KeyId;
  readonly state: KeyState;
  readonly createdAt: number;
}

export interface Key extends KeyInfo {
  /** 256-bit HMAC key. */
  readonly secret: Buffer;
}

export interface KeyringChange {
  readonly activeChanged: boolean;
  readonly added: readonly KeyId[];
  /** Keys that were accepted before and are not now: cached verifications must be dropped. */
  readonly retired: readonly KeyId[];
}

export type KeyringListener = (change: KeyringChange) => void;

/** An operator request the keyring refuses (the CLI shows the message as is). */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

export const MAX_KEY_ID = 255;
const SECRET_BYTES = 32;

interface KeyRow {
  id: number;
  secret: Buffer;
  state: KeyState;
  created_at: number;
}

export function isKeyId(n: number): n is KeyId {
  return Number.isInteger(n) && n >= 1 && n <= MAX_KEY_ID;
}

/**
 * The HMAC keys handles are sealed with. Every change is committed (synchronous=FULL) before the
 * method returns, so no handle sealed with a new key can leave the server before the key is durable.
 * Several processes may share the database: refreshIfChanged() picks up their rotations.
 */
export class Keyring {
  readonly #db: Database.Database;
  #keys = new Map<number, Key>();
  #active!: Key;
  #dataVersion = -1;
  readonly #listeners = new Set<KeyringListener>();

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(store: Store): Keyring {
    const keyring = new Keyring(store.db);
    const db = store.db;
    db.transaction(() => {
      const n = (db.prepare('SELECT count(*) AS n FROM keys').get() as { n: number }).n;
      if (n === 0) insertKey(db, 1);
    }).immediate();
    keyring.#reload();
    return keyring;
  }

  active(): Key {
    return this.#active;
  }

  byId(id: number): Key | undefined {
    return this.#keys.get(id);
  }

  list(): KeyInfo[] {
    return [...this.#keys.values()]
      .sort((a, b) => a.id - b.id)
      .map(({ id, state, createdAt }) => ({ id, state, createdAt }));
  }

  /** Makes a new key active; the previous active key keeps verifying. */
  rotate(): Key {
    const db = this.#db;
    const id = db
      .transaction((): number => {
        const rows = db.prepare('SELECT * FROM keys').all() as KeyRow[];
        const id = chooseNewId(rows);
        db.prepare('DELETE FROM keys WHERE id = ?').run(id);
        db.prepare("UPDATE keys SET state = 'verify' WHERE state = 'active'").run();
        insertKey(db, id);
        return id;
      })
      .immediate();
    this.#reload();
    return this.#keys.get(id)!;
  }

  /** Stops accepting a key: every handle sealed with it becomes stale. The active key cannot be retired. */
  retire(id: number): KeyInfo {
    const db = this.#db;
    db.transaction(() => {
      const row = db.prepare('SELECT * FROM keys WHERE id = ?').get(id) as KeyRow | undefined;
      if (!row) throw new KeyringError(`no key with id ${id}`);
      if (row.state === 'active') {
        throw new KeyringError(`key ${id} is the active key; rotate to a new key first, then retire ${id}`);
      }
      db.prepare("UPDATE keys SET state = 'retired' WHERE id = ?").run(id);
    }).immediate();
    this.#reload();
    const { state, createdAt } = this.#keys.get(id)!;
    return { id: id as KeyId, state, createdAt };
  }

  /**
   * Reloads the keys if another connection committed anything since the last look. Cheap enough to call
   * every second: PRAGMA data_version reads a counter in shared memory. Returns true if keys changed.
   */
  refreshIfChanged(): boolean {
    const version = this.#db.pragma('data_version', { simple: true }) as number;
    if (version === this.#dataVersion) return false;
    return this.#reload();
  }

  /** Called after any change to the keys, whichever process made it. Returns an unsubscribe function. */
  onChange(listener: KeyringListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #reload(): boolean {
    this.#dataVersion = this.#db.pragma('data_version', { simple: true }) as number;
    const rows = this.#db.prepare('SELECT * FROM keys ORDER BY id').all() as KeyRow[];
    const next = new Map<number, Key>();
    let active: Key | undefined;
    for (const row of rows) {
      const key: Key = {
        id: row.id as KeyId,
        secret: row.secret,
        state: row.state,
        createdAt: row.created_at,
      };
      next.set(row.id, key);
      if (key.state === 'active') active = key;
    }
    if (!active) throw new Error('keyring has no active key: the keys table was altered outside nfsgate');

    const previous = this.#keys;
    const added: KeyId[] = [];
    const retired: KeyId[] = [];
    for (const key of next.values()) {
      const before = previous.get(key.id);
      if (!before?.secret.equals(key.secret)) added.push(key.id);
      const acceptedBefore = before !== undefined && before.state !== 'retired';
      if (acceptedBefore && (key.state === 'retired' || !before.secret.equals(key.secret)))
        retired.push(key.id);
    }
    for (const before of previous.values()) {
      if (!next.has(before.id) && before.state !== 'retired') retired.push(before.id);
    }
    const activeChanged = previous.size > 0 && this.#active.id !== active.id;
    this.#keys = next;
    this.#active = active;
    const isFirstLoad = previous.size === 0;
    if (isFirstLoad || (!activeChanged && added.length === 0 && retired.length === 0)) return false;
    const change: KeyringChange = { activeChanged, added, retired };
    for (const listener of this.#listeners) listener(change);
    return true;
  }
}

function insertKey(db: Database.Database, id: number): void {
  db.prepare('INSERT INTO keys (id, secret, state, created_at) VALUES (?, ?, ?, ?)').run(
    id,
    randomBytes(SECRET_BYTES),
    'active',
    Math.floor(Date.now() / 1000),
  );
}

/** Ids are not reused while one is free; once all 255 are taken, the oldest retired key's id is. */
function chooseNewId(rows: readonly KeyRow[]): number {
  const used = new Set(rows.map((r) => r.id));
  for (let id = 1; id <= MAX_KEY_ID; id++) if (!used.has(id)) return id;
  const retired = rows
    .filter((r) => r.state === 'retired')
    .sort((a, b) => a.created_at - b.created_at || a.id - b.id);
  if (retired.length === 0) {
    throw new KeyringError(`all ${MAX_KEY_ID} key ids are in use; retire old keys before rotating`);
  }
  return retired[0]!.id;
}
