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

/** Maps AUTH_SYS credentials to the caller as knfsd does: root_squash maps uid 0 and, independently,
 * gid 0 (primary and supplementary) to the anonymous ids; all_squash maps everyone and drops groups. */
export function squash(
  authUid: number,
  authGid: number,
  authGids: readonly number[],
  policy: SquashPolicy,
): Caller {
  if (policy.allSquash) return { uid: policy.anonUid, gid: policy.anonGid, gids: [] };
  if (!policy.rootSquash) return { uid: authUid, gid: authGid, gids: [...authGids] };
  return {
    uid: authUid === 0 ? policy.anonUid : authUid,
    gid: authGid === 0 ? policy.anonGid : authGid,
    gids: authGids.map((g) => (g === 0 ? policy.anonGid : g)),
  };
}

export function isRoot(caller: Caller): boolean {
  return caller.uid === 0;
}

export function inGroup(caller: Caller, gid: number): boolean {
  return caller.gid === gid || caller.gids.includes(gid);
}
