import { performance } from 'node:perf_hooks';

/**
 * How often the watch timer is due. A block of B ms makes the next tick between B - TICK_MS and B ms
 * late (B when the block began as the tick fell due), so with 4 ms a 25 ms synchronous call is always
 * seen as more than 20 ms; 250 wake-ups a second cost well under 1% of a core.
 */
export const TICK_MS = 4;

/** A running watch of the event loop; `stop()` ends it. */
export interface LoopLagWatch {
  /** The largest lateness seen since the watch started, in seconds. */
  readonly maxSeconds: number;
  stop(): void;
}

/**
 * Watches how long the event loop is held by synchronous work (a filesystem call, a SQLite commit, a
 * garbage collection, or the process waiting for a CPU): a timer due every TICK_MS reports how late it
 * ran, in seconds, once per tick. Unlike `monitorEventLoopDelay`, every single delay is reported, so
 * one long block stands out instead of vanishing into a percentile. The timer never keeps the process
 * alive.
 */
export function watchEventLoop(onLateness: (seconds: number) => void): LoopLagWatch {
  let last = performance.now();
  let maxSeconds = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const seconds = Math.max(0, now - last - TICK_MS) / 1000;
    last = now;
    if (seconds > maxSeconds) maxSeconds = seconds;
    onLateness(seconds);
  }, TICK_MS);
  timer.unref();
  return {
    get maxSeconds() {
      return maxSeconds;
    },
    stop: () => clearInterval(timer),
  };
}
