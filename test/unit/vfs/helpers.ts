import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfinedFs, type ConfinedFsOptions } from '../../../src/vfs/confined-fs.js';
import type { Caller } from '../../../src/vfs/credentials.js';
import type { FsResult, VNode } from '../../../src/vfs/types.js';

export const ROOT: Caller = { uid: 0, gid: 0, gids: [] };
export const ALICE: Caller = { uid: 1001, gid: 1001, gids: [] };
export const BOB: Caller = { uid: 1002, gid: 1002, gids: [] };
export const isRootProcess = process.getuid?.() === 0;

export interface Sandbox {
  /** Parent directory: holds the export and things outside it. */
  base: string;
  exportDir: string;
  outside: string;
  fs: ConfinedFs;
  root: VNode;
  cleanup(): void;
}

export async function sandbox(options: Partial<ConfinedFsOptions> = {}): Promise<Sandbox> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vfs-test-'));
  fs.chmodSync(base, 0o755);
  const exportDir = path.join(base, 'export');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(exportDir, { mode: 0o777 });
  fs.chmodSync(exportDir, 0o777);
  fs.mkdirSync(outside);
  const cfs = new ConfinedFs({
    root: exportDir,
    readOnly: false,
    crossMounts: false,
    privileged: isRootProcess,
    ...options,
  });
  const root = await value(cfs.openRoot());
  return {
    base,
    exportDir,
    outside,
    fs: cfs,
    root,
    cleanup() {
      cfs.closeVNode(root);
      cfs.close();
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

export async function value<T>(pending: FsResult<T> | Promise<FsResult<T>>): Promise<T> {
  const result = await pending;
  if (!result.ok) throw new Error(`expected success, got ${result.errno}`);
  return result.value;
}

export async function errnoOf<T>(pending: FsResult<T> | Promise<FsResult<T>>): Promise<string> {
  const result = await pending;
  return result.ok ? 'ok' : result.errno;
}

export const b = (s: string) => Buffer.from(s);

/** Content, mode and timestamps of a file, to show nothing touched it. */
export function fingerprint(file: string): string {
  const st = fs.lstatSync(file, { bigint: true });
  // O_NOATIME, so that looking does not change what is looked at.
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOATIME);
  const content = fs.readFileSync(fd, 'base64');
  fs.closeSync(fd);
  return JSON.stringify({
    content,
    mode: String(st.mode),
    uid: String(st.uid),
    atime: String(st.atimeNs),
    mtime: String(st.mtimeNs),
    ctime: String(st.ctimeNs),
  });
}

/** Whether descriptor `fd` is open in this process. */
export function isOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}
