// A throw-away Linux guest whose kernel NFS client mounts a server running in a private
// network namespace, with a control channel into the guest. See README.md.
export type { Hello } from './broker-protocol.js';
export type { ExecOptions, ExecResult, Guest, InstanceState, NetMode, ServerSpec, Timings } from './guest.js';
export {
  type Accel,
  type AccelRequest,
  buildImage,
  cacheDir,
  chooseAccel,
  type Image,
  probeKvm,
} from './image.js';
export {
  DEFAULT_MNT,
  GUEST_ADDRESS,
  GUEST_GATEWAY,
  type MountHelper,
  type MountOptions,
  mountCommand,
} from './mount-command.js';
export { findRepoRoot } from './repo-root.js';
export { shq } from './shell.js';
export { attach, instanceDir, type UpOptions, up, vmHome } from './up.js';
