export type Token =
  | { kind: 'ident'; text: string; line: number }
  | { kind: 'number'; value: bigint; line: number }
  | { kind: 'punct'; text: string; line: number }
  | { kind: 'eof'; line: number };

export class XdrSyntaxError extends Error {
  override readonly name = 'XdrSyntaxError';
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', '<', '>', ';', ',', '=', '*', ':']);

/** Splits XDR language text into tokens; comments and `%` pass-through lines are dropped. */
export function tokenize(file: string, text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let atLineStart = true;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      atLineStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (atLineStart && c === '%') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    atLineStart = false;
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new XdrSyntaxError(file, line, 'unterminated comment');
      for (let j = i; j < end; j++) if (text[j] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
      continue;
    }
    const num = /^-?(0x[0-9a-fA-F]+|[0-9]+)/.exec(text.slice(i, i + 40));
    if (num && (c === '-' || /[0-9]/.test(c))) {
      const s = num[0];
      const negative = s.startsWith('-');
      const digits = negative ? s.slice(1) : s;
      let value = digits.startsWith('0x')
        ? BigInt(digits)
        : /^0[0-7]+$/.test(digits)
          ? BigInt(`0o${digits.slice(1)}`)
          : BigInt(digits);
      if (negative) value = -value;
      tokens.push({ kind: 'number', value, line });
      i += s.length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (id) {
      tokens.push({ kind: 'ident', text: id[0], line });
      i += id[0].length;
      continue;
    }
    throw new XdrSyntaxError(file, line, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', line });
  return tokens;
}
