import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerRequest, type Hello } from './broker-protocol.js';
import { now, sleep } from './clock.js';
import { Guest, type InstanceState, type NetMode, type ServerSpec } from './guest.js';
import { type AccelRequest, buildImage, chooseAccel } from './image.js';
import { GUEST_GATEWAY, type MountOptions } from './mount-command.js';
import { netnsAdd, netnsExists, tapAdd } from './netns.js';
import { pidAlive, spawnDetached, tail } from './processes.js';
import { siblingModuleUrl } from './repo-root.js';

let home: string | null = null;

/**
 * The folder holding one sub-folder per instance (state.json, logs, sockets):
 * NFSGATE_VM_HOME, or else a fresh temporary folder per process, so runs never
 * share state by accident.
 */
export function vmHome(): string {
  if (home === null) {
    home = process.env.NFSGATE_VM_HOME || fs.mkdtempSync(path.join(os.tmpdir(), 'nfsgate-vm-'));
    fs.mkdirSync(home, { recursive: true });
  }
  return home;
}

export function instanceDir(name: string): string {
  return path.join(vmHome(), name);
}

/** Network namespaces are global: qualify the name so instances of different runs never meet. */
function defaultNetns(name: string): string {
  return `nfsgate-vm-${name}`;
}

export interface UpOptions {
  /** Instance name: its folder under vmHome() and its namespace. */
  readonly name?: string;
  readonly netns?: string;
  /** Use an existing namespace (it is then neither emptied nor deleted by down()). */
  readonly reuseNetns?: boolean;
  readonly server?: ServerSpec;
  readonly accel?: AccelRequest;
  readonly mem?: number;
  readonly smp?: number;
  /** 'user' = QEMU slirp; 'tap' = a tap device in the namespace, real TCP end to end. */
  readonly net?: NetMode;
  readonly bootTimeoutS?: number;
  /** Mounted once the guest is up; also the defaults of later mount() calls. */
  readonly mount?: MountOptions;
  readonly kernelArgs?: readonly string[];
  readonly qemuArgs?: readonly string[];
  /** Kernel messages on the console (drops `quiet`). */
  readonly verbose?: boolean;
  /** Leave everything running when up() fails (for debugging; call down() yourself). */
  readonly keepOnError?: boolean;
}

const TAP_DEV = 'nfsg0';

/** Bring up namespace, server, guest and broker, then mount. Tears down what it started if it fails. */
export async function up(opts: UpOptions = {}): Promise<Guest> {
  const t00 = now();
  const name = opts.name ?? 'default';
  const dir = instanceDir(name);
  fs.mkdirSync(dir, { recursive: true });
  const stateFile = path.join(dir, 'state.json');
  if (fs.existsSync(stateFile)) {
    const old = attach(name);
    const st = old.status();
    if (st.qemu.alive || st.broker.alive || (st.server?.pids.length ?? 0) > 0) {
      throw new Error(`instance '${name}' is already up (down it first)`);
    }
    await old.down();
  }
  for (const f of ['console.log', 'qemu.log', 'broker.log', 'server.log', 'down.json']) {
    fs.rmSync(path.join(dir, f), { force: true });
  }

  const img = buildImage();
  const tImg = now();
  const { accel, why } = chooseAccel(opts.accel);
  const net = opts.net ?? 'user';
  const state: InstanceState = {
    name,
    netns: opts.netns ?? defaultNetns(name),
    netnsCreated: false,
    tapCreated: null,
    net,
    accel,
    accelWhy: why,
    mem: opts.mem ?? 1024,
    smp: opts.smp ?? 1,
    kernel: img.kernel,
    initrd: img.initrd,
    createdAt: new Date().toISOString(),
    timings: {},
    mountDefaults: opts.mount ?? {},
    mounted: null,
    serverSpec: null,
    server: null,
    qemu: null,
    broker: null,
  };
  const g = new Guest(dir, state);
  g.save();

  try {
    if (!netnsExists(state.netns)) {
      netnsAdd(state.netns);
      state.netnsCreated = true;
    } else if (!opts.reuseNetns) {
      throw new Error(`netns ${state.netns} already exists (pass reuseNetns, or delete it)`);
    }
    // 'user': slirp proxies each guest connection to 127.0.0.1:<port> in the namespace, so the
    // server sees 127.0.0.1 and unprivileged ports. 'tap': 10.0.2.2/24 on a tap device, so the
    // server sees 10.0.2.15 and the client's own (privileged) ports; the server must listen on
    // 0.0.0.0 or 10.0.2.2. Much faster under TCG thanks to checksum and TSO offloads.
    let netdev = `user,id=net0,net=10.0.2.0/24,host=${GUEST_GATEWAY}`;
    if (net === 'tap') {
      tapAdd(state.netns, TAP_DEV, `${GUEST_GATEWAY}/24`);
      state.tapCreated = TAP_DEV;
      netdev = `tap,id=net0,ifname=${TAP_DEV},script=no,downscript=no`;
    }
    g.save();

    if (opts.server) {
      const r = await g.serverStart(opts.server);
      state.timings.serverReadyMs = Math.round(r.ms);
    }

    const ctl = path.join(dir, 'ctl.sock');
    const mon = path.join(dir, 'mon.sock');
    const cmdline = [
      'console=ttyS0',
      opts.verbose ? '' : 'quiet',
      'panic=-1',
      // boot-time savers, fine for a throw-away test VM
      'tsc=reliable',
      'mitigations=off',
      'nokaslr',
      'cryptomgr.notests',
      'audit=0',
      'i8042.noaux',
      'i8042.nokbd',
      'i8042.nopnp',
      ...(opts.kernelArgs ?? []),
    ]
      .filter(Boolean)
      .join(' ');
    // prettier-ignore
    const qemu = [
      'qemu-system-x86_64',
      '-name',
      `nfsgate-vm-${name}`,
      '-accel',
      accel,
      ...(accel === 'kvm' ? ['-cpu', 'host'] : []),
      '-m',
      String(state.mem),
      '-smp',
      String(state.smp),
      '-nodefaults',
      '-no-reboot',
      '-display',
      'none',
      '-no-user-config',
      '-kernel',
      img.kernel,
      '-initrd',
      img.initrd,
      '-append',
      cmdline,
      '-serial',
      `file:${g.logs.console}`,
      '-monitor',
      `unix:${mon},server=on,wait=off`,
      '-device',
      'virtio-serial-pci,id=vser0',
      '-chardev',
      `socket,id=ctl,path=${ctl},server=on,wait=off`,
      '-device',
      'virtserialport,bus=vser0.0,chardev=ctl,name=nfsguest.ctl',
      '-netdev',
      netdev,
      '-device',
      'virtio-net-pci,netdev=net0',
      '-device',
      'virtio-rng-pci',
      ...(opts.qemuArgs ?? []),
    ];
    state.qemuArgv = qemu;
    const tq = now();
    state.qemu = spawnDetached(['ip', 'netns', 'exec', state.netns, ...qemu], g.logs.qemu, { cwd: dir });
    g.save();

    // the broker has no entry script: import the module and call runBroker(dir)
    const brokerMain = 'const [u, d] = process.argv.slice(1); (await import(u)).runBroker(d);';
    state.broker = spawnDetached(
      [process.execPath, '--input-type=module', '-e', brokerMain, siblingModuleUrl('broker.js'), dir],
      g.logs.broker,
      { cwd: dir },
    );
    g.save();
    const bootTimeoutS = opts.bootTimeoutS ?? (accel === 'kvm' ? 30 : 120);
    while (!fs.existsSync(g.api)) {
      if (!pidAlive(state.broker.pid)) throw new Error(`broker died: ${tail(g.logs.broker, 10)}`);
      if (now() - tq > 10000) throw new Error('broker did not start');
      await sleep(10);
    }
    const readyP = brokerRequest(g.api, { op: 'ready', timeout: bootTimeoutS });
    let hello: Hello | null = null;
    while (hello === null) {
      const r = await Promise.race([readyP, sleep(100).then(() => null)]);
      if (r) {
        if (!r.ok)
          throw new Error(`guest did not come up: ${r.error}; console:\n${tail(g.logs.console, 20)}`);
        hello = r.hello;
      } else if (!pidAlive(state.qemu.pid)) {
        throw new Error(`qemu exited: ${tail(g.logs.qemu, 10)}\nconsole:\n${tail(g.logs.console, 20)}`);
      }
    }
    state.timings.imageMs = Math.round(tImg - t00);
    state.timings.bootMs = Math.round(now() - tq);
    state.timings.guestUptimeAtAgentS = hello.uptime;
    g.save();

    if (opts.mount) {
      const m = await g.mount(opts.mount);
      state.timings.mountMs = Math.round(m.ms);
    }
    state.timings.totalUpMs = Math.round(now() - t00);
    g.save();
    return g;
  } catch (e) {
    if (!opts.keepOnError) await g.down().catch(() => {});
    throw e;
  }
}

/** Attach to a running instance by name (state.json in its folder; set NFSGATE_VM_HOME in another process). */
export function attach(name = 'default'): Guest {
  const dir = instanceDir(name);
  const f = path.join(dir, 'state.json');
  if (!fs.existsSync(f)) throw new Error(`no running instance '${name}' (${f} missing)`);
  return new Guest(dir, JSON.parse(fs.readFileSync(f, 'utf8')) as InstanceState);
}
