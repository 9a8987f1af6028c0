import pino, { type Logger } from 'pino';
import { programVersion } from '../../../src/rpc/program.js';
import type { CallContext, Denial, ProgramVersion } from '../../../src/rpc/types.js';
import { decodeVoid, encodeVoid, type ProcedureCodec } from '../../../src/xdr/codec.js';
import type { XdrReader } from '../../../src/xdr/reader.js';
import type { XdrWriter } from '../../../src/xdr/writer.js';

/** A program number from the range RFC 5531 leaves to local use. */
export const ECHO_PROG = 0x20000099;

const voidCodec = (proc: number, name: string): ProcedureCodec<undefined, undefined> => ({
  proc,
  name,
  decodeArgs: decodeVoid,
  encodeArgs: encodeVoid,
  decodeRes: decodeVoid,
  encodeRes: encodeVoid,
});

const opaqueCodec = (proc: number, name: string): ProcedureCodec<Buffer, Buffer> => ({
  proc,
  name,
  decodeArgs: (r: XdrReader) => r.opaqueVar(1 << 21),
  encodeArgs: (w: XdrWriter, v: Buffer) => w.opaqueVar(v, 1 << 21),
  decodeRes: (r: XdrReader) => r.opaqueVar(1 << 21),
  encodeRes: (w: XdrWriter, v: Buffer) => w.opaqueVar(v, 1 << 21),
});

const uintCodec = (proc: number, name: string): ProcedureCodec<number, number> => ({
  proc,
  name,
  decodeArgs: (r: XdrReader) => r.uint32(),
  encodeArgs: (w: XdrWriter, v: number) => w.uint32(v),
  decodeRes: (r: XdrReader) => r.uint32(),
  encodeRes: (w: XdrWriter, v: number) => w.uint32(v),
});

export interface WhoAmI {
  flavor: number;
  uid: number;
  gids: number;
  machinename: Buffer;
}

const whoAmICodec = (proc: number, name: string): ProcedureCodec<undefined, WhoAmI> => ({
  proc,
  name,
  decodeArgs: decodeVoid,
  encodeArgs: encodeVoid,
  decodeRes: (r: XdrReader): WhoAmI => ({
    flavor: r.uint32(),
    uid: r.uint32(),
    gids: r.uint32(),
    machinename: r.opaqueVar(255),
  }),
  encodeRes: (w: XdrWriter, v: WhoAmI) => {
    w.uint32(v.flavor);
    w.uint32(v.uid);
    w.uint32(v.gids);
    w.opaqueVar(v.machinename, 255);
  },
});

/** The test program's procedures, in the shape of a generated `*_PROCEDURES` table. */
export const ECHO_PROCEDURES = {
  ECHOPROC_NULL: voidCodec(0, 'ECHOPROC_NULL'),
  /** Returns its argument. */
  ECHOPROC_ECHO: opaqueCodec(1, 'ECHOPROC_ECHO'),
  /** Waits the given number of milliseconds, then returns it. */
  ECHOPROC_SLEEP: uintCodec(2, 'ECHOPROC_SLEEP'),
  /** Removes a name once: 0 the first time, 2 (like NFS3ERR_NOENT) after. Not idempotent. */
  ECHOPROC_REMOVE: opaqueCodec(3, 'ECHOPROC_REMOVE'),
  ECHOPROC_THROW: voidCodec(4, 'ECHOPROC_THROW'),
  ECHOPROC_DENY: voidCodec(5, 'ECHOPROC_DENY'),
  ECHOPROC_WHOAMI: whoAmICodec(6, 'ECHOPROC_WHOAMI'),
  /** Waits until the test opens the gate. */
  ECHOPROC_GATE: voidCodec(7, 'ECHOPROC_GATE'),
  /** Returns a result its own encoder refuses: a bug in the program. */
  ECHOPROC_BADRESULT: whoAmICodec(8, 'ECHOPROC_BADRESULT'),
};

/** Observable state of one echo program instance. */
export class EchoState {
  readonly removed = new Set<string>();
  removeCalls = 0;
  removeDelayMs = 0;
  /** Upper bound on ECHOPROC_SLEEP, so random arguments cannot stall a run. */
  sleepCapMs = Number.POSITIVE_INFINITY;
  gateWaiting = 0;
  private gate: (() => void)[] = [];

  openGate(): void {
    const waiting = this.gate;
    this.gate = [];
    for (const go of waiting) go();
  }

  waitAtGate(): Promise<void> {
    this.gateWaiting++;
    return new Promise<void>((resolve) => this.gate.push(resolve)).then(() => {
      this.gateWaiting--;
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function echoProgram(vers: number, state: EchoState): ProgramVersion {
  return programVersion(ECHO_PROG, vers, ECHO_PROCEDURES, {
    ECHOPROC_NULL: { idempotent: true, handle: () => undefined },
    ECHOPROC_ECHO: { idempotent: true, handle: (_ctx, data) => data },
    ECHOPROC_SLEEP: {
      idempotent: true,
      handle: async (_ctx, ms) => {
        await sleep(Math.min(ms, state.sleepCapMs));
        return ms;
      },
    },
    ECHOPROC_REMOVE: {
      idempotent: false,
      handle: async (_ctx, name) => {
        state.removeCalls++;
        if (state.removeDelayMs > 0) await sleep(state.removeDelayMs);
        const key = name.toString();
        if (state.removed.has(key)) return Buffer.from([2]);
        state.removed.add(key);
        return Buffer.from([0]);
      },
    },
    ECHOPROC_THROW: {
      idempotent: true,
      handle: () => {
        throw new Error('handler bug for the test');
      },
    },
    ECHOPROC_DENY: { idempotent: true, handle: (): Denial => ({ denied: 'AUTH_TOOWEAK' }) },
    ECHOPROC_WHOAMI: {
      idempotent: true,
      handle: (ctx: CallContext) =>
        ctx.auth.flavor === 1
          ? { flavor: 1, uid: ctx.auth.uid, gids: ctx.auth.gids.length, machinename: ctx.auth.machinename }
          : { flavor: 0, uid: 0xffffffff, gids: 0, machinename: Buffer.alloc(0) },
    },
    ECHOPROC_GATE: { idempotent: true, handle: () => state.waitAtGate().then(() => undefined) },
    // An opaque<255> field given 300 bytes: the result encoder throws RangeError.
    ECHOPROC_BADRESULT: {
      idempotent: true,
      handle: () => ({ flavor: 0, uid: 0, gids: 0, machinename: Buffer.alloc(300) }),
    },
  });
}

/** A logger whose lines the test can read. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = pino({ level }, { write: (line: string) => raw.push(line) });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
