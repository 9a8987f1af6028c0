import { pino } from 'pino';

export type Logger = pino.Logger;

/** JSON lines on stderr: one per start, mount and error; per-request lines only at debug. */
export function createLogger(level: string = process.env.NFSGATE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'nfsgate' } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything, for tests and embedded use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
