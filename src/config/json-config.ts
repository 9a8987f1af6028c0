import { type ConfigProblem, type ConfigResult, failed, ok } from './problems.js';
import {
  buildExport,
  type ClientDraft,
  checkExportSet,
  type ExportConfig,
  type ServerConfig,
} from './server-config.js';

export interface JsonConfigOptions {
  /** Top-level keys other parts of the server read; any other key besides `exports` is an error. */
  readonly otherKeys?: readonly string[];
}

export interface JsonServerConfig extends ServerConfig {
  /** The values of `otherKeys` present in the file, unvalidated. */
  readonly other: Readonly<Record<string, unknown>>;
}

const EXPORT_KEYS = ['path', 'name', 'options', 'clients'];
const CLIENT_KEYS = ['host', 'options'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `a ${typeof v}`;
}

function unknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
  problems: ConfigProblem[],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key))
      problems.push({
        where: `${where}.${key}`,
        message: `unknown key (expected one of ${allowed.join(', ')})`,
      });
  }
}

function optionalString(
  obj: Record<string, unknown>,
  key: string,
  where: string,
  problems: ConfigProblem[],
): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    problems.push({ where: `${where}.${key}`, message: `must be a string, not ${describe(v)}` });
    return undefined;
  }
  return v;
}

function clientDrafts(value: unknown, where: string, problems: ConfigProblem[]): ClientDraft[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({ where, message: `must be an array, not ${describe(value)}` });
    return [];
  }
  const drafts: ClientDraft[] = [];
  value.forEach((client: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(client)) {
      problems.push({ where: at, message: `must be an object, not ${describe(client)}` });
      return;
    }
    unknownKeys(client, CLIENT_KEYS, at, problems);
    const host = optionalString(client, 'host', at, problems);
    if (host === undefined) {
      if (client.host === undefined) problems.push({ where: `${at}.host`, message: 'is required' });
      return;
    }
    const options = optionalString(client, 'options', at, problems);
    drafts.push({
      host,
      hostWhere: `${at}.host`,
      ...(options !== undefined && { options }),
      optionsWhere: `${at}.options`,
    });
  });
  return drafts;
}

/**
 * Parses a JSON configuration: `{ "exports": [ { "path", "name"?, "options"?, "clients"?: [ { "host",
 * "options"? } ] } ] }`. An export's `options` are the defaults its clients' options are applied on;
 * with no clients it is exported to everyone with those defaults.
 */
export function parseJsonConfig(
  text: string,
  options: JsonConfigOptions = {},
): ConfigResult<JsonServerConfig> {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    return failed([{ where: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const problems: ConfigProblem[] = [];
  if (!isObject(root))
    return failed([{ where: '', message: `the configuration must be an object, not ${describe(root)}` }]);
  const otherKeys = options.otherKeys ?? [];
  for (const key of Object.keys(root)) {
    if (key !== 'exports' && !otherKeys.includes(key)) {
      problems.push({
        where: key,
        message: `unknown key (expected one of ${['exports', ...otherKeys].join(', ')})`,
      });
    }
  }
  const list = root.exports;
  const exports: ExportConfig[] = [];
  const wheres: string[] = [];
  if (!Array.isArray(list)) {
    problems.push({
      where: 'exports',
      message: list === undefined ? 'is required' : `must be an array, not ${describe(list)}`,
    });
  } else {
    list.forEach((entry: unknown, i) => {
      const where = `exports[${i}]`;
      if (!isObject(entry)) {
        problems.push({ where, message: `must be an object, not ${describe(entry)}` });
        return;
      }
      unknownKeys(entry, EXPORT_KEYS, where, problems);
      const path = optionalString(entry, 'path', where, problems);
      if (path === undefined) {
        if (entry.path === undefined) problems.push({ where: `${where}.path`, message: 'is required' });
        return;
      }
      const name = optionalString(entry, 'name', where, problems);
      const defaults = optionalString(entry, 'options', where, problems);
      const built = buildExport(
        {
          where,
          path,
          pathWhere: `${where}.path`,
          ...(name !== undefined && { name, nameWhere: `${where}.name` }),
          ...(defaults !== undefined && { defaults, defaultsWhere: `${where}.options` }),
          clients: clientDrafts(entry.clients, `${where}.clients`, problems),
        },
        problems,
      );
      if (built) {
        exports.push(built);
        wheres.push(where);
      }
    });
  }
  checkExportSet(exports, wheres, problems);
  if (problems.length > 0) return failed(problems);
  const other: Record<string, unknown> = {};
  for (const key of otherKeys) if (key in root) other[key] = root[key];
  return ok({ exports, other });
}
