import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Ports whose traffic is captured and decoded as ONC RPC, by transport. */
export interface RpcPorts {
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
}

export interface Capture {
  readonly file: string;
  /** Stops the capture (by its PID) and waits until the file is complete. */
  stop(): Promise<void>;
}

/** A BPF filter for exactly these ports. */
function captureFilter(ports: RpcPorts): string {
  return [...ports.tcp.map((p) => `tcp port ${p}`), ...ports.udp.map((p) => `udp port ${p}`)].join(' or ');
}

/**
 * Starts dumpcap on `iface` (loopback by default) and resolves once it is capturing. `netns` runs it
 * inside a network namespace (`ip netns exec`).
 */
export async function startCapture(
  file: string,
  ports: RpcPorts,
  opts: { iface?: string; netns?: string } = {},
): Promise<Capture> {
  const args = ['-q', '-i', opts.iface ?? 'lo', '-f', captureFilter(ports), '-w', file];
  const child: ChildProcess = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns, 'dumpcap', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('dumpcap', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dumpcap did not start: ${stderr}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Capturing on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dumpcap exited with ${code}: ${stderr}`));
    });
  });
  // dumpcap reports "Capturing on" slightly before its filter is attached: let it settle.
  await new Promise((r) => setTimeout(r, 1000));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    file,
    async stop() {
      // Give the last segments time to reach the capture before stopping it.
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      await exited;
    },
  };
}

export interface RpcExchange {
  readonly frame: number;
  readonly transport: 'tcp' | 'udp';
  readonly stream: string;
  readonly xid: number;
  readonly program?: number;
  readonly version?: number;
  readonly procedure?: number;
}

export interface WireAnalysis {
  readonly frames: number;
  readonly calls: readonly RpcExchange[];
  readonly replies: number;
  /** Calls with no reply on the same stream and xid. */
  readonly unanswered: readonly RpcExchange[];
  /** Replies with no call before them. */
  readonly orphanReplies: number;
  /** `frame: protocol info` of every malformed packet or expert-info error. */
  readonly problems: readonly string[];
}

const SEP = '\x1f';

function decodeArgs(ports: RpcPorts): string[] {
  return [
    ...ports.tcp.flatMap((p) => ['-d', `tcp.port==${p},rpc`]),
    ...ports.udp.flatMap((p) => ['-d', `udp.port==${p},rpc`]),
    '-o',
    'tcp.desegment_tcp_streams:TRUE',
    '-o',
    'tcp.reassemble_out_of_order:TRUE',
    '-o',
    'rpc.desegment_rpc_over_tcp:TRUE',
  ];
}

function ints(field: string | undefined): number[] {
  return field ? field.split(SEP).map((x) => Number(x)) : [];
}

/**
 * Decodes a capture with tshark's ONC RPC dissectors: pairs calls with replies (per stream and xid) and
 * lists every malformed packet and expert-info error.
 */
export async function analyseCapture(file: string, ports: RpcPorts): Promise<WireAnalysis> {
  const base = ['-n', '-r', file, ...decodeArgs(ports)];
  const fields = [
    'frame.number',
    'tcp.stream',
    'udp.stream',
    'rpc.msgtyp',
    'rpc.xid',
    'rpc.program',
    'rpc.programversion',
    'rpc.procedure',
  ];
  const { stdout } = await run(
    'tshark',
    [
      ...base,
      '-T',
      'fields',
      '-E',
      'separator=/t',
      '-E',
      'occurrence=a',
      '-E',
      `aggregator=${SEP}`,
      ...fields.flatMap((f) => ['-e', f]),
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const bad = await run(
    'tshark',
    [
      ...base,
      '-Y',
      '_ws.malformed || _ws.expert.severity == error',
      '-T',
      'fields',
      '-e',
      'frame.number',
      '-e',
      '_ws.col.Protocol',
      '-e',
      '_ws.col.Info',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const pending = new Map<string, RpcExchange>();
  const calls: RpcExchange[] = [];
  let replies = 0;
  let orphanReplies = 0;
  let frames = 0;
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    frames++;
    const [frameText, tcpStream, udpStream, typText, xidText, progText, versText, procText] =
      line.split('\t');
    const types = ints(typText);
    if (types.length === 0) continue;
    const transport = tcpStream ? 'tcp' : 'udp';
    const stream = `${transport}:${tcpStream || udpStream}`;
    const xids = ints(xidText);
    const progs = ints(progText);
    // tshark adds a generated "program version" field after the real one in calls.
    const versions = ints(versText);
    const procs = ints(procText);
    const versStep = versions.length === 2 * progs.length ? 2 : 1;
    let callIndex = 0;
    types.forEach((type, i) => {
      const xid = xids[i]!;
      const key = `${stream}/${xid}`;
      if (type === 0) {
        const call: RpcExchange = {
          frame: Number(frameText),
          transport,
          stream,
          xid,
          program: progs[callIndex],
          version: versions[callIndex * versStep],
          procedure: procs[callIndex],
        };
        callIndex++;
        calls.push(call);
        pending.set(key, call);
      } else {
        replies++;
        if (!pending.delete(key)) orphanReplies++;
      }
    });
  }
  const problems = bad.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.replace(/\t/g, ' '));
  return { frames, calls, replies, unanswered: [...pending.values()], orphanReplies, problems };
}
