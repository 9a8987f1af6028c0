import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { cliArgv } from './nfsgate-cli.js';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** What the kernel-client suite needs on this host; each missing item as a sentence. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0)
    missing.push('must run as root (network namespaces, tap, QEMU in a namespace)');
  if (process.arch !== 'x64') missing.push('needs an x86_64 host');
  const tools: Array<[string, string]> = [
    ['qemu-system-x86_64', 'qemu-system-x86'],
    ['busybox', 'busybox-static'],
    ['xz', 'xz-utils'],
    ['ip', 'iproute2'],
    ['ss', 'iproute2'],
    ['tar', 'tar'],
  ];
  for (const [cmd, pkg] of tools) if (!onPath(cmd)) missing.push(`${cmd} not found (apt-get install ${pkg})`);
  if (onPath('busybox') && spawnSync('sh', ['-c', 'ldd "$(command -v busybox)"']).status === 0) {
    missing.push('busybox is dynamically linked (apt-get install busybox-static)');
  }
  if (!onPath('mount.nfs') && !fs.existsSync('/sbin/mount.nfs'))
    missing.push('mount.nfs not found (nfs-common)');
  const kernels = fs.existsSync('/lib/modules')
    ? fs.readdirSync('/lib/modules').filter((k) => fs.existsSync(`/boot/vmlinuz-${k}`))
    : [];
  if (kernels.length === 0) missing.push('no /boot/vmlinuz-KVER with /lib/modules/KVER (linux-image-amd64)');
  const cli = cliArgv().at(-1) ?? '';
  if (!fs.existsSync(cli))
    missing.push(`nfsgate CLI ${cli} not found (build first: npx tsc -p tsconfig.json)`);
  return missing;
}
