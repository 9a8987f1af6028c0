import type { CallContext, ProcedureHandler, ProgramVersion } from '../rpc/types.js';
import { PinScope } from '../vfs/pin-scope.js';

const scopes = new WeakMap<CallContext, PinScope>();

/** The pins of the call being run: every descriptor a procedure resolves is held until it finishes. */
export function pinsOf(ctx: CallContext): PinScope | undefined {
  return scopes.get(ctx);
}

/**
 * Gives every call of the program's procedures a PinScope, released when the handler's result is
 * settled (after its last `await`), whether it returned, threw or rejected. Procedures pin through
 * `target()`, so their bodies need not release anything themselves.
 */
export function withCallPins(program: ProgramVersion): ProgramVersion {
  // biome-ignore lint/suspicious/noExplicitAny: as in ProgramVersion.procedures
  const procedures = new Map<number, ProcedureHandler<any, any>>();
  for (const [proc, h] of program.procedures) {
    procedures.set(proc, {
      codec: h.codec,
      idempotent: h.idempotent,
      handle(ctx, args) {
        const pins = new PinScope();
        scopes.set(ctx, pins);
        const done = () => {
          scopes.delete(ctx);
          pins.release();
        };
        let result: ReturnType<typeof h.handle>;
        try {
          result = h.handle(ctx, args);
        } catch (e) {
          done();
          throw e;
        }
        if (result instanceof Promise) return result.finally(done);
        done();
        return result;
      },
    });
  }
  return { ...program, procedures };
}
