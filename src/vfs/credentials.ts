/** The user a request acts for, after squashing. */
export interface Caller {
  readonly uid: number;
  readonly gid: number;
  readonly gids: readonly number[];
}

/** The server's own credentials, for walks it makes for itself (never a client's request). */
export const SERVER_CALLER: Caller = Object.freeze({
  uid: 0,
  gid: 0,
  gids: Object.freeze([]) as readonly number[],
});

/** exports(5) squashing options. */
export interface SquashPolicy {
  readonly rootSquash: boolean;
  readonly allSquash: boolean;
  readonly anonUid: number;
  readonly anonGid: number;
}

/** (uid_t)-1 and (gid_t)-1: chown(2) reads them as "leave unchanged", so they can never be set. */
export const INVALID_ID = 0xffff_ffff;

/** Maps AUTH_SYS credentials to the caller as knfsd does: root_squash maps uid 0 and, independently,
 * gid 0 (primary and supplementary) to the anonymous ids; all_squash maps everyone and drops groups. An id
 * the kernel cannot set (2^32-1) is anonymous under every policy: the server creates objects as root and
 * then chowns them, and chown(-1) would leave them root's. */
export function squash(
  authUid: number,
  authGid: number,
  authGids: readonly number[],
  policy: SquashPolicy,
): Caller {
  if (policy.allSquash) return { uid: policy.anonUid, gid: policy.anonGid, gids: [] };
  const squashed = (id: number, anon: number) =>
    id === INVALID_ID || (policy.rootSquash && id === 0) ? anon : id;
  return {
    uid: squashed(authUid, policy.anonUid),
    gid: squashed(authGid, policy.anonGid),
    gids: authGids.map((g) => squashed(g, policy.anonGid)),
  };
}

export function isRoot(caller: Caller): boolean {
  return caller.uid === 0;
}

export function inGroup(caller: Caller, gid: number): boolean {
  return caller.gid === gid || caller.gids.includes(gid);
}
