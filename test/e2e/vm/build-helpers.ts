// Steps of build-initramfs.sh that need more than shell: kept in Node so the build
// needs no python. The script imports this module and calls main(); it has no entry
// point of its own, so a test runner that loads it finds nothing to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const COMPRESSORS = [
  { sig: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: 'xz -dc' },
  { sig: Buffer.from([0x1f, 0x8b, 0x08]), tool: 'gzip -dc' },
  { sig: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: 'zstd -dc' },
] as const;

function looksLikeKernelElf(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    fs.closeSync(fd);
    return head.equals(ELF_MAGIC) && fs.statSync(file).size > 1 << 20;
  } catch {
    return false;
  }
}

/**
 * bzImage -> ELF vmlinux. Booting the ELF through QEMU's PVH entry skips the in-guest
 * decompression, which costs seconds under TCG.
 */
export function extractVmlinux(src: string, dst: string): void {
  const data = fs.readFileSync(src);
  const tmp = `${dst}.part`;
  for (const c of COMPRESSORS) {
    let off = data.indexOf(c.sig);
    for (let tries = 0; off >= 0 && tries < 8; tries++) {
      // decompressors complain about the bytes after the stream: judge by the result
      spawnSync('sh', ['-c', `tail -c +${off + 1} "$1" | ${c.tool} > "$2" 2>/dev/null`, 'sh', src, tmp]);
      if (looksLikeKernelElf(tmp)) {
        fs.renameSync(tmp, dst);
        return;
      }
      off = data.indexOf(c.sig, off + 1);
    }
  }
  fs.rmSync(tmp, { force: true });
  throw new Error(`could not extract an ELF vmlinux from ${src} (need xz-utils, gzip or zstd)`);
}

/** The modules named (and their dependencies from modules.dep), dependencies first. */
export function moduleOrder(moddir: string, wanted: readonly string[]): string[] {
  const deps = new Map<string, string[]>();
  for (const line of fs.readFileSync(path.join(moddir, 'modules.dep'), 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    deps.set(
      line.slice(0, i).trim(),
      line
        .slice(i + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean),
    );
  }
  const byName = new Map<string, string>();
  for (const k of deps.keys()) {
    const n = path.basename(k).replace(/\.ko(\.xz|\.zst|\.gz)?$/, '');
    byName.set(n, k);
    byName.set(n.replace(/-/g, '_'), k);
  }
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (p: string): void => {
    if (seen.has(p)) return;
    seen.add(p);
    for (const d of deps.get(p) ?? []) visit(d);
    order.push(p);
  };
  for (const w of wanted) {
    const p = byName.get(w) ?? byName.get(w.replace(/-/g, '_'));
    if (p === undefined) {
      process.stderr.write(`warning: module ${w} not found (built in?)\n`);
      continue;
    }
    visit(p);
  }
  return order;
}

const SIG_MAGIC = Buffer.from('~Module signature appended~\n');

/**
 * Drop appended module signatures (the kernel then skips the RSA check at insmod; with
 * CONFIG_MODULE_SIG_FORCE off this only sets the 'E' taint). Saves boot time under TCG.
 */
export function stripModuleSignatures(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      stripModuleSignatures(p);
      continue;
    }
    if (!e.name.endsWith('.ko')) continue;
    const b = fs.readFileSync(p);
    if (b.length < SIG_MAGIC.length + 12 || !b.subarray(b.length - SIG_MAGIC.length).equals(SIG_MAGIC))
      continue;
    // struct module_signature { u8 algo, hash, id_type, signer_len, key_id_len; u8 pad[3]; __be32 sig_len; }
    const ms = b.subarray(b.length - SIG_MAGIC.length - 12, b.length - SIG_MAGIC.length);
    const n = SIG_MAGIC.length + 12 + ms.readUInt32BE(8) + (ms[3] ?? 0) + (ms[4] ?? 0);
    fs.writeFileSync(p, b.subarray(0, b.length - n));
  }
}

/** Command-line dispatch for build-initramfs.sh. */
export async function main(argv: readonly string[]): Promise<void> {
  const [cmd, ...args] = argv;
  try {
    if (cmd === 'extract-vmlinux' && args.length === 2) extractVmlinux(args[0]!, args[1]!);
    else if (cmd === 'module-order' && args.length >= 1) {
      process.stdout.write(`${moduleOrder(args[0]!, args.slice(1)).join('\n')}\n`);
    } else if (cmd === 'strip-sigs' && args.length === 1) stripModuleSignatures(args[0]!);
    else {
      process.stderr.write(
        'usage: extract-vmlinux VMLINUZ OUT | module-order MODDIR MOD... | strip-sigs DIR\n',
      );
      process.exitCode = 2;
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
