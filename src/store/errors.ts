/** The state database cannot be used as it is; it is left untouched for the operator to inspect. */
export class StoreRefusedError extends Error {
  override readonly name = 'StoreRefusedError';

  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`refusing state database ${file}: ${reason}`);
  }
}
