import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { now } from './clock.js';
import { run } from './netns.js';
import { siblingModuleUrl, vmSourceDir } from './repo-root.js';

export type Accel = 'kvm' | 'tcg';
export type AccelRequest = Accel | 'auto';

export interface Image {
  readonly kernel: string;
  readonly initrd: string;
  readonly kver: string;
}

/**
 * Where built images are cached. Shared between runs (the build script rebuilds when
 * its inputs change and writes atomically), so only the first run pays the build.
 */
export function cacheDir(): string {
  return process.env.NFSGATE_VM_CACHE || path.join(os.tmpdir(), 'nfsgate-vm-cache');
}

/** Build (or reuse the cached) kernel + initramfs. */
export function buildImage({ force = false, kver = process.env.NFSGATE_VM_KVER } = {}): Image {
  const cache = cacheDir();
  const helpers = fileURLToPath(siblingModuleUrl('build-helpers.js'));
  const args = [path.join(vmSourceDir(), 'build-initramfs.sh'), '--helpers', helpers, '-o', cache];
  if (force) args.push('-f');
  if (kver) args.push('-k', kver);
  const r = run('bash', args);
  const initrd = r.stdout.trim().split('\n').pop() ?? '';
  const k = path
    .basename(initrd)
    .replace(/^initramfs-/, '')
    .replace(/\.cpio$/, '');
  return { initrd, kernel: path.join(cache, `vmlinux-${k}`), kver: k };
}

const hostKernel = (): string => fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();

/**
 * KVM or TCG. 'auto' uses KVM only when /dev/kvm is usable and the host's KVM is a
 * regular VMX/SVM one: on PVM-based nested KVM (module kvm_pvm) a stock distribution
 * kernel fails with emulation errors, and TCG is faster anyway.
 */
export function chooseAccel(want: AccelRequest = (process.env.NFSGATE_VM_ACCEL as AccelRequest) || 'auto'): {
  accel: Accel;
  why: string;
} {
  if (want === 'kvm' || want === 'tcg') return { accel: want, why: 'requested' };
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    return { accel: 'tcg', why: '/dev/kvm not usable' };
  }
  const mods = new Set(fs.existsSync('/sys/module') ? fs.readdirSync('/sys/module') : []);
  if (mods.has('kvm_pvm') && !mods.has('kvm_intel') && !mods.has('kvm_amd')) {
    return { accel: 'tcg', why: 'host KVM is PVM (kvm_pvm): cannot run a stock guest kernel' };
  }
  const probeFile = path.join(cacheDir(), 'kvm-probe.json');
  try {
    const p = JSON.parse(fs.readFileSync(probeFile, 'utf8')) as KvmProbe;
    if (p.hostKernel === hostKernel()) {
      return { accel: p.ok ? 'kvm' : 'tcg', why: `cached probe (${probeFile}): ${p.detail}` };
    }
  } catch {
    // no probe yet
  }
  return { accel: 'kvm', why: '/dev/kvm usable (not probed)' };
}

export interface KvmProbe {
  readonly ok: boolean;
  readonly detail: string;
  readonly wallS: number;
  readonly hostKernel: string;
}

/** Boot the guest once under KVM in probe mode; cache and return the outcome. */
export function probeKvm({ timeoutS = 30 } = {}): KvmProbe {
  const img = buildImage();
  const log = path.join(cacheDir(), 'kvm-probe.console');
  fs.rmSync(log, { force: true });
  const t0 = now();
  // prettier-ignore
  const r = spawnSync(
    'timeout',
    [
      String(timeoutS),
      'qemu-system-x86_64',
      '-accel',
      'kvm',
      '-cpu',
      'host',
      '-m',
      '512',
      '-nodefaults',
      '-no-reboot',
      '-display',
      'none',
      '-serial',
      `file:${log}`,
      '-kernel',
      img.kernel,
      '-initrd',
      img.initrd,
      '-append',
      'console=ttyS0 quiet panic=-1 nfsguest.probe=1',
    ],
    { encoding: 'utf8' },
  );
  const wallS = (now() - t0) / 1000;
  const out = fs.existsSync(log) ? fs.readFileSync(log, 'latin1') : '';
  const ok = out.includes('NFSGUEST-PROBE-OK');
  const detail = ok
    ? `booted in ${wallS.toFixed(2)} s`
    : `failed after ${wallS.toFixed(1)} s (rc ${r.status}): ${(r.stderr || '').split('\n').slice(0, 2).join(' ')}`;
  const res: KvmProbe = { ok, detail, wallS, hostKernel: hostKernel() };
  fs.writeFileSync(path.join(cacheDir(), 'kvm-probe.json'), JSON.stringify(res, null, 2));
  return res;
}
