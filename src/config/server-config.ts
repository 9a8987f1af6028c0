import { posix } from 'node:path';
import { type ClientSpec, parseClientSpec } from './client-spec.js';
import {
  type ClientOptions,
  DEFAULT_CLIENT_OPTIONS,
  type ExportLevelOptions,
  parseOptions,
} from './export-options.js';
import type { ConfigProblem } from './problems.js';

export interface ClientRule {
  readonly spec: ClientSpec;
  readonly options: ClientOptions;
}

export interface ExportConfig {
  /** The local directory exported (absolute, normalised). */
  readonly path: string;
  /** The MOUNT path clients ask for; the local path unless configured otherwise. */
  readonly name: string;
  readonly fsid?: bigint;
  /** In order: the first rule that matches a client decides, as in exports(5). */
  readonly clients: readonly ClientRule[];
}

export interface ServerConfig {
  readonly exports: readonly ExportConfig[];
}

/** Longest path a MOUNT dirpath may carry (RFC 1813 MNTPATHLEN). */
const MNTPATHLEN = 1024;

/** An export as written, before validation; every part carries where it came from. */
export interface ExportDraft {
  readonly where: string;
  readonly path: string;
  readonly pathWhere?: string;
  readonly name?: string;
  readonly nameWhere?: string;
  readonly defaults?: string;
  readonly defaultsWhere?: string;
  readonly clients: readonly ClientDraft[];
}

export interface ClientDraft {
  readonly host: string;
  readonly hostWhere: string;
  readonly options?: string;
  readonly optionsWhere: string;
}

function normalisedAbsolute(path: string): string | undefined {
  if (!path.startsWith('/') || path.includes('\0')) return undefined;
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

function mergeExportLevel(
  into: { fsid?: bigint; name?: string },
  from: ExportLevelOptions,
): string | undefined {
  if (from.fsid !== undefined) {
    if (into.fsid !== undefined && into.fsid !== from.fsid)
      return `conflicting fsid values ${into.fsid} and ${from.fsid}`;
    into.fsid = from.fsid;
  }
  if (from.name !== undefined) {
    if (into.name !== undefined && into.name !== from.name)
      return `conflicting names ${into.name} and ${from.name}`;
    into.name = from.name;
  }
  return undefined;
}

/** Validates one export; appends what is wrong to `problems` and returns undefined if anything is. */
export function buildExport(draft: ExportDraft, problems: ConfigProblem[]): ExportConfig | undefined {
  const before = problems.length;
  const path = normalisedAbsolute(draft.path);
  if (path === undefined) {
    problems.push({
      where: draft.pathWhere ?? draft.where,
      message: `export path must be absolute: "${draft.path}"`,
    });
  }
  const level: { fsid?: bigint; name?: string } = {};
  let base = DEFAULT_CLIENT_OPTIONS;
  if (draft.defaults !== undefined) {
    const parsed = parseOptions(draft.defaults, base);
    const where = draft.defaultsWhere ?? draft.where;
    if (parsed.ok) {
      base = parsed.client;
      const conflict = mergeExportLevel(level, parsed.exportLevel);
      if (conflict) problems.push({ where, message: conflict });
    } else {
      for (const message of parsed.messages) problems.push({ where, message });
    }
  }
  const clients: ClientRule[] = [];
  for (const client of draft.clients) {
    const spec = parseClientSpec(client.host);
    if (!spec.ok) problems.push({ where: client.hostWhere, message: spec.message });
    const parsed = parseOptions(client.options ?? '', base);
    if (!parsed.ok) {
      for (const message of parsed.messages) problems.push({ where: client.optionsWhere, message });
      continue;
    }
    const conflict = mergeExportLevel(level, parsed.exportLevel);
    if (conflict) problems.push({ where: client.optionsWhere, message: conflict });
    if (spec.ok) clients.push({ spec: spec.spec, options: parsed.client });
  }
  if (draft.clients.length === 0) clients.push({ spec: { kind: 'anyone', text: '*' }, options: base });
  if (draft.name !== undefined && level.name !== undefined && draft.name !== level.name) {
    problems.push({
      where: draft.nameWhere ?? draft.where,
      message: `conflicting names ${draft.name} and ${level.name}`,
    });
  }
  const rawName = draft.name ?? level.name ?? path;
  const name = rawName === undefined ? undefined : normalisedAbsolute(rawName);
  // With no name and a bad path, the path is what gets reported.
  if (rawName !== undefined && name === undefined) {
    problems.push({
      where: draft.nameWhere ?? draft.where,
      message: `export name must be an absolute path: "${rawName}"`,
    });
  } else if (name !== undefined && Buffer.byteLength(name) > MNTPATHLEN) {
    problems.push({
      where: draft.nameWhere ?? draft.where,
      message: `export name is longer than ${MNTPATHLEN} bytes`,
    });
  }
  if (problems.length > before || path === undefined || name === undefined) return undefined;
  return Object.freeze({
    path,
    name,
    ...(level.fsid !== undefined && { fsid: level.fsid }),
    clients: Object.freeze(clients),
  });
}

/** Checks what must hold across exports: MOUNT names and fsids are unique. */
export function checkExportSet(
  exports: readonly ExportConfig[],
  wheres: readonly string[],
  problems: ConfigProblem[],
): void {
  const names = new Map<string, number>();
  const fsids = new Map<bigint, number>();
  exports.forEach((e, i) => {
    const sameName = names.get(e.name);
    if (sameName !== undefined) {
      problems.push({
        where: wheres[i]!,
        message: `export name ${e.name} is already used by ${wheres[sameName]}`,
      });
    } else names.set(e.name, i);
    if (e.fsid !== undefined) {
      const sameFsid = fsids.get(e.fsid);
      if (sameFsid !== undefined) {
        problems.push({
          where: wheres[i]!,
          message: `fsid ${e.fsid} is already used by ${wheres[sameFsid]}`,
        });
      } else fsids.set(e.fsid, i);
    }
  });
}
