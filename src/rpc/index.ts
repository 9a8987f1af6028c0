export {
  type CallOptions,
  RpcCallError,
  RpcClient,
  type RpcClientOptions,
  type RpcFailure,
} from './client.js';
export { DEFAULT_DRC_MAX_AGE_MS, DEFAULT_DRC_MAX_ENTRIES, type DrcOptions } from './drc.js';
export { type HandlerFor, programVersion } from './program.js';
export { DEFAULT_MAX_RECORD_SIZE } from './record-marking.js';
export { RpcServer, type RpcServerOptions, type RpcServerStats } from './server.js';
export type {
  Auth,
  CallContext,
  CallDoneHook,
  CallOutcome,
  Denial,
  Peer,
  ProcedureHandler,
  ProgramVersion,
  TransportKind,
} from './types.js';
