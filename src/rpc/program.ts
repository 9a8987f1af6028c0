import type { ProcedureCodec } from '../xdr/codec.js';
import type { CallContext, Denial, ProcedureHandler, ProgramVersion } from './types.js';

/** The implementation of one procedure, typed by its generated codec. */
export type HandlerFor<C> =
  C extends ProcedureCodec<infer A, infer R>
    ? { idempotent: boolean; handle(ctx: CallContext, args: A): R | Denial | Promise<R | Denial> }
    : never;

/**
 * Builds a ProgramVersion from a generated `*_PROCEDURES` table and handlers keyed by procedure name.
 * Procedures left out are answered with PROC_UNAVAIL.
 */
// biome-ignore lint/suspicious/noExplicitAny: the table maps names to codecs of differing types
export function programVersion<T extends Record<string, ProcedureCodec<any, any>>>(
  prog: number,
  vers: number,
  table: T,
  handlers: { [K in keyof T]?: HandlerFor<T[K]> },
): ProgramVersion {
  // biome-ignore lint/suspicious/noExplicitAny: see ProgramVersion.procedures
  const procedures = new Map<number, ProcedureHandler<any, any>>();
  for (const name of Object.keys(handlers) as (keyof T & string)[]) {
    const h = handlers[name];
    const codec = table[name];
    if (h === undefined) continue;
    if (codec === undefined) throw new Error(`no procedure ${name} in the table for program ${prog}`);
    procedures.set(codec.proc, { codec, idempotent: h.idempotent, handle: h.handle.bind(h) });
  }
  return { prog, vers, procedures };
}
