/** What an exports(5) client entry grants. Every field is resolved: defaults are filled in at parse time. */
export interface ClientOptions {
  readonly access: 'rw' | 'ro';
  /** Which callers are mapped to anonuid/anongid. */
  readonly squash: 'root_squash' | 'no_root_squash' | 'all_squash';
  readonly anonuid: number;
  readonly anongid: number;
  /** `secure`: the caller's source port must be below 1024. */
  readonly secure: boolean;
  /** `sync`: replies wait for stable storage; `async` lets UNSTABLE writes be answered early. */
  readonly sync: boolean;
  readonly crossmnt: boolean;
}

/** Options that belong to the export as a whole, though exports(5) syntax lets any client entry carry them. */
export interface ExportLevelOptions {
  readonly fsid?: bigint;
  /** The MOUNT path clients ask for (an nfsgate extension of the exports(5) syntax). */
  readonly name?: string;
}

export const NOBODY_ID = 65534;

export const DEFAULT_CLIENT_OPTIONS: ClientOptions = Object.freeze({
  access: 'ro',
  squash: 'root_squash',
  anonuid: NOBODY_ID,
  anongid: NOBODY_ID,
  secure: true,
  sync: true,
  crossmnt: false,
});

/** exports(5) options with no meaning here, accepted so an existing /etc/exports loads unchanged. */
const IGNORED = new Set(['subtree_check', 'no_subtree_check', 'wdelay', 'no_wdelay']);

const MAX_U32 = 0xffff_ffff;
const MAX_U64 = 0xffff_ffff_ffff_ffffn;

export type OptionsParse =
  | { readonly ok: true; readonly client: ClientOptions; readonly exportLevel: ExportLevelOptions }
  | { readonly ok: false; readonly messages: readonly string[] };

function parseId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= MAX_U32 ? n : undefined;
}

function parseFsid(value: string | undefined): bigint | undefined {
  if (value === 'root') return 0n;
  if (value === undefined || !/^\d{1,20}$/.test(value)) return undefined;
  const n = BigInt(value);
  return n <= MAX_U64 ? n : undefined;
}

/**
 * Applies a comma-separated exports(5) option list on top of `base`. Later options override earlier ones,
 * as exportfs does; all_squash wins over no_root_squash whatever their order.
 */
export function parseOptions(text: string, base: ClientOptions = DEFAULT_CLIENT_OPTIONS): OptionsParse {
  const messages: string[] = [];
  let access = base.access;
  let rootSquash = base.squash !== 'no_root_squash';
  let allSquash = base.squash === 'all_squash';
  let { anonuid, anongid, secure, sync, crossmnt } = base;
  let fsid: bigint | undefined;
  let name: string | undefined;
  if (text.trim() === '') return { ok: true, client: base, exportLevel: {} };
  for (const raw of text.split(',')) {
    const option = raw.trim();
    const eq = option.indexOf('=');
    const key = eq >= 0 ? option.slice(0, eq) : option;
    const value = eq >= 0 ? option.slice(eq + 1) : undefined;
    const flag = (set: () => void): void => {
      if (value !== undefined) messages.push(`option "${key}" takes no value`);
      else set();
    };
    switch (key) {
      case '':
        messages.push(`empty option in "${text}"`);
        break;
      case 'rw':
      case 'ro':
        flag(() => {
          access = key;
        });
        break;
      case 'root_squash':
        flag(() => {
          rootSquash = true;
        });
        break;
      case 'no_root_squash':
        flag(() => {
          rootSquash = false;
        });
        break;
      case 'all_squash':
        flag(() => {
          allSquash = true;
        });
        break;
      case 'no_all_squash':
        flag(() => {
          allSquash = false;
        });
        break;
      case 'secure':
      case 'insecure':
        flag(() => {
          secure = key === 'secure';
        });
        break;
      case 'sync':
      case 'async':
        flag(() => {
          sync = key === 'sync';
        });
        break;
      case 'crossmnt':
      case 'nocrossmnt':
        flag(() => {
          crossmnt = key === 'crossmnt';
        });
        break;
      case 'anonuid':
      case 'anongid': {
        const id = parseId(value);
        // 2^32-1 is (uid_t)-1, which chown(2) reads as "leave unchanged": it cannot own anything.
        if (id === undefined || id === MAX_U32)
          messages.push(`option "${key}" needs a number from 0 to ${MAX_U32 - 1}, got "${value ?? ''}"`);
        else if (key === 'anonuid') anonuid = id;
        else anongid = id;
        break;
      }
      case 'fsid':
        fsid = parseFsid(value);
        if (fsid === undefined)
          messages.push(`option "fsid" needs a number (or "root"), got "${value ?? ''}"`);
        break;
      case 'name':
        if (value === undefined || !value.startsWith('/'))
          messages.push(`option "name" needs an absolute path, got "${value ?? ''}"`);
        else name = value;
        break;
      default:
        if (IGNORED.has(key)) flag(() => {});
        else messages.push(`unknown option "${key}"`);
    }
  }
  if (messages.length > 0) return { ok: false, messages };
  const squash = allSquash ? 'all_squash' : rootSquash ? 'root_squash' : 'no_root_squash';
  const client: ClientOptions = Object.freeze({ access, squash, anonuid, anongid, secure, sync, crossmnt });
  return {
    ok: true,
    client,
    exportLevel: { ...(fsid !== undefined && { fsid }), ...(name !== undefined && { name }) },
  };
}

/** The option list that parses back to `options` (for EXPORT listings and `exports list`). */
export function formatOptions(options: ClientOptions): string {
  return [
    options.access,
    options.squash,
    ...(options.anonuid !== NOBODY_ID ? [`anonuid=${options.anonuid}`] : []),
    ...(options.anongid !== NOBODY_ID ? [`anongid=${options.anongid}`] : []),
    options.secure ? 'secure' : 'insecure',
    options.sync ? 'sync' : 'async',
    ...(options.crossmnt ? ['crossmnt'] : []),
  ].join(',');
}
