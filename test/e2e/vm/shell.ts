/** Quote a string as one word for a POSIX shell. */
export function shq(s: string | number): string {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}
