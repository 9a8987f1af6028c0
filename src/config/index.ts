export { type ClientSpec, parseClientSpec } from './client-spec.js';
export { type CommandLineExport, exportFromCommandLine } from './command-line.js';
export {
  type ClientOptions,
  DEFAULT_CLIENT_OPTIONS,
  type ExportLevelOptions,
  formatOptions,
  NOBODY_ID,
  parseOptions,
} from './export-options.js';
export { parseExportsFile } from './exports-file.js';
export { isLoopback, parseIpAddress } from './ip-address.js';
export { type JsonConfigOptions, type JsonServerConfig, parseJsonConfig } from './json-config.js';
export { matchClient } from './match-client.js';
export { type ConfigProblem, type ConfigResult, describeProblems } from './problems.js';
export { type HostLookup, resolveHostNames } from './resolve-names.js';
export type { ClientRule, ExportConfig, ServerConfig } from './server-config.js';
