import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function md5OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('md5');
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * Which of `chunkCount` chunk files goes at position i of a generated big file. The
 * guest builds big files by concatenating small random chunks in this order (no second
 * pass over a gigabyte to learn its checksum), and the order is not periodic, so a block
 * written at the wrong offset changes the md5.
 */
export function chunkAt(i: number, chunkCount: number): number {
  return (i * i + Math.floor(i / chunkCount)) % chunkCount;
}

/** The same order as a busybox sh snippet that sets "$@" to the chunk paths. */
export function chunkListShell(dir: string, blocks: number, chunkCount: number): string {
  return (
    `set --; i=0; while [ $i -lt ${blocks} ]; do ` +
    `set -- "$@" ${dir}/c$(( (i*i + i/${chunkCount}) % ${chunkCount} )); i=$((i+1)); done`
  );
}

/** md5 of the concatenation the guest builds from the chunk files in `dir`. */
export function expectedChunkedMd5(dir: string, blocks: number, chunkCount: number): string {
  const chunks = Array.from({ length: chunkCount }, (_, c) => fs.readFileSync(path.join(dir, `c${c}`)));
  const h = createHash('md5');
  for (let i = 0; i < blocks; i++) h.update(chunks[chunkAt(i, chunkCount)]!);
  return h.digest('hex');
}

/** A tree of directories, files of assorted sizes and modes, symlinks and empty folders. */
export function generateTree(root: string): void {
  let n = 0;
  const fill = (dir: string, depth: number): void => {
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 12; f++) {
      const size = [0, 1, 511, 4096, 65537, 200_000][(n + f) % 6]!;
      const file = path.join(dir, `file-${depth}-${f}.bin`);
      fs.writeFileSync(file, randomBytes(size));
      fs.chmodSync(file, [0o644, 0o600, 0o755, 0o640][f % 4]!);
      n++;
    }
    fs.symlinkSync(`file-${depth}-0.bin`, path.join(dir, 'link-to-first'));
    fs.symlinkSync('../nowhere/at/all', path.join(dir, 'dangling'));
    fs.mkdirSync(path.join(dir, 'empty'));
    if (depth < 3) for (let d = 0; d < 3; d++) fill(path.join(dir, `dir-${depth}-${d}`), depth + 1);
  };
  fill(root, 0);
}

export interface TreeEntry {
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  readonly mode: number;
  readonly size: number;
  readonly mtimeS: number;
  /** sha256 for files, target for symlinks. */
  readonly content: string;
}

/** Every entry below root, keyed by relative path. */
export function describeTree(root: string): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = path.join(rel, name);
      const p = path.join(root, r);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) {
        out.set(r, { type: 'symlink', mode: 0, size: 0, mtimeS: 0, content: fs.readlinkSync(p) });
      } else if (st.isDirectory()) {
        out.set(r, { type: 'dir', mode: st.mode & 0o7777, size: 0, mtimeS: 0, content: '' });
        walk(r);
      } else if (st.isFile()) {
        const content = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
        const mtimeS = Math.floor(st.mtimeMs / 1000);
        out.set(r, { type: 'file', mode: st.mode & 0o7777, size: st.size, mtimeS, content });
      } else out.set(r, { type: 'other', mode: st.mode, size: st.size, mtimeS: 0, content: '' });
    }
  };
  walk('');
  return out;
}
