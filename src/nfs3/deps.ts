import type { Logger } from '../observe/logger.js';
import type { Objects } from './objects.js';

/** What the NFS procedures need from the running server. */
export interface Nfs3Deps {
  readonly objects: Objects;
  /** Changes on every server start, so clients resend data they wrote UNSTABLE and did not commit. */
  readonly writeVerifier: Buffer;
  readonly logger: Logger;
}

/** FSINFO limits: 1 MiB transfers, the most Linux and libnfs ask for. */
export const MAX_TRANSFER = 1024 * 1024;
