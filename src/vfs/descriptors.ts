/** Something that can close descriptors it holds only as a cache; returns how many it closed. */
export type Reliever = () => number;

const relievers = new Set<Reliever>();

/** Caches of descriptors register here so that running out of descriptors (EMFILE/ENFILE) empties
 * caches instead of failing requests. Descriptors are a process-wide resource, hence a process-wide list. */
export function registerReliever(reliever: Reliever): () => void {
  relievers.add(reliever);
  return () => relievers.delete(reliever);
}

function isExhaustion(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/** Empties the descriptor caches (after EMFILE/ENFILE), before one retry. */
export function relieveDescriptors(): void {
  for (const relieve of relievers) relieve();
}

/** Runs `open` (which may throw a system error) and retries once after relieving descriptor pressure. */
export function openWithRelief(open: () => number): number {
  try {
    return open();
  } catch (err) {
    if (!isExhaustion(err)) throw err;
    for (const relieve of relievers) relieve();
    return open();
  }
}
