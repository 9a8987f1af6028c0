import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ExportId, ObjectId } from '../store/ids.js';
import type { Key, Keyring } from './keyring.js';
import {
  FORMAT_V1,
  type HandleFields,
  readV1Fields,
  TAG_LENGTH,
  V1_LENGTH,
  V1_SEALED_LENGTH,
  writeV1Fields,
} from './layout.js';
import { VerifiedCache } from './verified-cache.js';

declare const fileHandleBrand: unique symbol;
/** An nfs_fh3 this server sealed. Only HandleSealer.seal makes one. */
export type FileHandle = Buffer & { readonly [fileHandleBrand]: true };

export type HandleRefusal =
  | 'badhandle-length'
  | 'badhandle-format'
  | 'unknown-key'
  | 'retired-key'
  | 'unknown-export'
  | 'bad-tag';

export type OpenResult =
  | { readonly ok: true; readonly fields: HandleFields }
  | { readonly ok: false; readonly reason: HandleRefusal };

/** The UUID of a live export, or undefined if handles for that export id must be refused. */
export type ExportUuidLookup = (exportId: ExportId) => Buffer | undefined;

/** RFC 1813 status for a refused handle: malformed ones are BADHANDLE, well-formed but unusable are STALE. */
export function nfsStatusForRefusal(reason: HandleRefusal): 'BADHANDLE' | 'STALE' {
  switch (reason) {
    case 'badhandle-length':
    case 'badhandle-format':
      return 'BADHANDLE';
    case 'unknown-key':
    case 'retired-key':
    case 'unknown-export':
    case 'bad-tag':
      return 'STALE';
  }
}

const TAG_CONTEXT = Buffer.from('nfsgate fh v1', 'ascii');
const DEFAULT_CACHE_CAPACITY = 65_536;

export interface HandleSealerOptions {
  /** Verified handles remembered (0 disables the cache). */
  readonly cacheCapacity?: number;
}

/**
 * Seals and opens file handles. Opening never touches the file system: a handle is either proven to
 * be one this server issued for a live export with an accepted key, or refused with a reason.
 */
export class HandleSealer {
  readonly #keyring: Keyring;
  readonly #exportUuid: ExportUuidLookup;
  readonly #cache: VerifiedCache<HandleFields>;
  readonly #parsers: ReadonlyMap<number, (raw: Buffer) => OpenResult>;

  constructor(keyring: Keyring, exportUuid: ExportUuidLookup, options: HandleSealerOptions = {}) {
    this.#keyring = keyring;
    this.#exportUuid = exportUuid;
    this.#cache = new VerifiedCache(options.cacheCapacity ?? DEFAULT_CACHE_CAPACITY);
    // The format byte picks how to parse and verify; every format verifies.
    this.#parsers = new Map([[FORMAT_V1, (raw: Buffer) => this.#openV1(raw)]]);
    keyring.onChange((change) => {
      if (change.retired.length > 0) this.#cache.clear();
    });
  }

  seal(exportId: ExportId, objectId: ObjectId, generation: number): FileHandle {
    const key = this.#keyring.active();
    const uuid = this.#exportUuid(exportId);
    if (!uuid) throw new Error(`cannot seal a handle for export ${exportId}: it is not a live export`);
    const handle = Buffer.alloc(V1_LENGTH);
    writeV1Fields(handle, { keyId: key.id, exportId, objectId, generation });
    tagV1(key, uuid, handle).copy(handle, V1_SEALED_LENGTH);
    return handle as FileHandle;
  }

  open(raw: Buffer): OpenResult {
    if (raw.length === 0) return { ok: false, reason: 'badhandle-length' };
    const parse = this.#parsers.get(raw[0]!);
    if (!parse) return { ok: false, reason: 'badhandle-format' };
    return parse(raw);
  }

  /** Forgets every verified handle (call when exports are rebound). Retired keys clear it by themselves. */
  clearCache(): void {
    this.#cache.clear();
  }

  get cachedHandles(): number {
    return this.#cache.size;
  }

  #openV1(raw: Buffer): OpenResult {
    if (raw.length !== V1_LENGTH) return { ok: false, reason: 'badhandle-length' };
    const cached = this.#cache.get(raw);
    if (cached) return { ok: true, fields: cached };

    const claimed = readV1Fields(raw);
    const key = this.#keyring.byId(claimed.keyId);
    if (!key) return { ok: false, reason: 'unknown-key' };
    if (key.state === 'retired') return { ok: false, reason: 'retired-key' };
    const uuid = this.#exportUuid(claimed.exportId as ExportId);
    if (!uuid) return { ok: false, reason: 'unknown-export' };
    const expected = tagV1(key, uuid, raw);
    if (!timingSafeEqual(expected, raw.subarray(V1_SEALED_LENGTH))) return { ok: false, reason: 'bad-tag' };

    // The tag proves this server wrote these values, so they are in range.
    const fields: HandleFields = {
      keyId: key.id,
      exportId: claimed.exportId as ExportId,
      objectId: claimed.objectId as ObjectId,
      generation: claimed.generation,
    };
    this.#cache.set(raw, fields);
    return { ok: true, fields };
  }
}

function tagV1(key: Key, exportUuid: Buffer, handle: Buffer): Buffer {
  return createHmac('sha256', key.secret)
    .update(TAG_CONTEXT)
    .update(exportUuid)
    .update(handle.subarray(0, V1_SEALED_LENGTH))
    .digest()
    .subarray(0, TAG_LENGTH);
}
