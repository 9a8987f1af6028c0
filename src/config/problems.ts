/** One thing wrong with a configuration, located so a person can find it (a line, or a JSON path). */
export interface ConfigProblem {
  readonly where: string;
  readonly message: string;
}

export type ConfigResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export function ok<T>(value: T): ConfigResult<T> {
  return { ok: true, value };
}

export function failed<T>(problems: readonly ConfigProblem[]): ConfigResult<T> {
  return { ok: false, problems };
}

export function describeProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => (p.where ? `${p.where}: ${p.message}` : p.message)).join('\n');
}
