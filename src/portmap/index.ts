export {
  mayChangeRegistrations,
  ownRegistrations,
  type PortmapOptions,
  portmapPrograms,
} from './portmap-programs.js';
export {
  type Portmapper,
  type PortmapperOptions,
  type PortmapperStart,
  startPortmapper,
} from './portmapper.js';
export { type Netid, type Registration, RegistrationTable, SUPERUSER } from './registration-table.js';
export { callOverStream, type StreamCallResult, type StreamTarget } from './stream-call.js';
export { RPCBIND_SOCKET, type SystemRpcbindOptions, SystemRpcbindRegistration } from './system-rpcbind.js';
export { formatUniversalAddress, parseUniversalAddress } from './universal-address.js';
