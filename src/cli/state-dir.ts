import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where state lives unless --state says otherwise: /var/lib/nfsgate for root, the XDG state dir otherwise. */
export function defaultStateDir(): string {
  if (process.getuid?.() === 0) return '/var/lib/nfsgate';
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'nfsgate');
}
