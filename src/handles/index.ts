export {
  isKeyId,
  type Key,
  type KeyId,
  type KeyInfo,
  Keyring,
  type KeyringChange,
  KeyringError,
  type KeyringListener,
  type KeyState,
} from './keyring.js';
export { FORMAT_V1, type HandleFields, V1_LENGTH } from './layout.js';
export {
  type ExportUuidLookup,
  type FileHandle,
  type HandleRefusal,
  HandleSealer,
  type HandleSealerOptions,
  nfsStatusForRefusal,
  type OpenResult,
} from './sealer.js';
