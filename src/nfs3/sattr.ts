import type { SetattrRequest, TimeChange } from '../vfs/access.js';
import { type sattr3, time_how } from '../xdr/generated/nfs3.js';

function timeChange(
  how: { set_it: number; atime?: { seconds: number; nseconds: number } },
  t?: { seconds: number; nseconds: number },
): TimeChange | undefined {
  if (how.set_it === time_how.SET_TO_SERVER_TIME) return 'now';
  if (how.set_it === time_how.SET_TO_CLIENT_TIME && t) return { seconds: t.seconds, nseconds: t.nseconds };
  return undefined;
}

/** sattr3 -> the changes the vfs applies; absent fields are left alone. */
export function setattrRequest(s: sattr3): SetattrRequest {
  const req: { -readonly [K in keyof SetattrRequest]: SetattrRequest[K] } = {};
  if (s.mode.set_it) req.mode = s.mode.mode & 0o7777;
  if (s.uid.set_it) req.uid = s.uid.uid;
  if (s.gid.set_it) req.gid = s.gid.gid;
  if (s.size.set_it) req.size = s.size.size;
  const atime = timeChange(
    s.atime,
    s.atime.set_it === time_how.SET_TO_CLIENT_TIME ? s.atime.atime : undefined,
  );
  if (atime) req.atime = atime;
  const mtime = timeChange(
    s.mtime,
    s.mtime.set_it === time_how.SET_TO_CLIENT_TIME ? s.mtime.mtime : undefined,
  );
  if (mtime) req.mtime = mtime;
  return req;
}

export function isEmptyRequest(req: SetattrRequest): boolean {
  return Object.keys(req).length === 0;
}

/** The mode a CREATE/MKDIR asks for, or the default when the client sent none. */
export function requestedMode(s: sattr3, fallback: number): number {
  return s.mode.set_it ? s.mode.mode & 0o7777 : fallback;
}

/** The attributes to apply after creating an object, besides its mode (which creation already set). */
export function postCreateRequest(s: sattr3): SetattrRequest {
  const { mode: _mode, ...rest } = setattrRequest(s);
  return rest;
}
