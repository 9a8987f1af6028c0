import fs from 'node:fs';

/** Linux x86_64/arm64 O_PATH: a descriptor that pins an object without opening it for I/O. */
export const O_PATH = 0o10000000;
export const O_NOFOLLOW = fs.constants.O_NOFOLLOW;
export const O_DIRECTORY = fs.constants.O_DIRECTORY;

/**
 * `/proc/self/fd/<fd>` (the object itself) or `/proc/self/fd/<fd>/<name>` (name resolved inside the
 * directory the descriptor refers to, wherever it has moved). Built as a Buffer so names that are not
 * UTF-8 survive. Every use must be synchronous: after an await the descriptor may be closed and its
 * number reused for another object.
 */
export function procPath(fd: number, name?: Buffer): Buffer {
  const base = Buffer.from(`/proc/self/fd/${fd}`);
  return name === undefined ? base : Buffer.concat([base, Buffer.from('/'), name]);
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed: nothing to release.
  }
}
