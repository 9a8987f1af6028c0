import { type ConfigProblem, type ConfigResult, failed, ok } from './problems.js';
import {
  buildExport,
  type ClientDraft,
  checkExportSet,
  type ExportConfig,
  type ServerConfig,
} from './server-config.js';

interface Token {
  readonly text: string;
  readonly line: number;
}

interface LogicalLine {
  readonly tokens: readonly Token[];
  readonly line: number;
}

/** exports(5) writes awkward bytes in paths as backslash and three octal digits (`\040` for a space). */
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** Splits the file into logical lines (joining `\`-continued lines) of whitespace-separated tokens. */
function tokenize(text: string, where: (line: number) => string, problems: ConfigProblem[]): LogicalLine[] {
  const physical = text.split(/\r?\n/);
  const lines: LogicalLine[] = [];
  let tokens: Token[] = [];
  let startLine = 0;
  let current: { text: string; line: number } | undefined;
  const endToken = (): void => {
    if (current) tokens.push({ text: current.text, line: current.line });
    current = undefined;
  };
  for (let i = 0; i < physical.length; i++) {
    const lineNo = i + 1;
    if (tokens.length === 0 && current === undefined) startLine = lineNo;
    let s = physical[i]!;
    const continued = /\\\s*$/.test(s) && !/\\[0-7]{3}\s*$/.test(s);
    if (continued) s = s.replace(/\\\s*$/, '');
    let quoted = false;
    for (let j = 0; j < s.length; j++) {
      const c = s[j]!;
      if (quoted) {
        if (c === '"') quoted = false;
        else current!.text += c;
      } else if (c === '"') {
        quoted = true;
        current ??= { text: '', line: lineNo };
      } else if (c === '#') {
        break;
      } else if (c === ' ' || c === '\t') {
        endToken();
      } else {
        current ??= { text: '', line: lineNo };
        current.text += c;
      }
    }
    if (quoted) problems.push({ where: where(lineNo), message: 'unterminated quote' });
    if (continued) {
      endToken();
      continue;
    }
    endToken();
    if (tokens.length > 0) lines.push({ tokens, line: startLine });
    tokens = [];
  }
  endToken();
  if (tokens.length > 0) lines.push({ tokens, line: startLine });
  return lines;
}

function clientDraft(token: Token, where: string, problems: ConfigProblem[]): ClientDraft | undefined {
  const open = token.text.indexOf('(');
  if (open < 0) return { host: token.text, hostWhere: where, optionsWhere: where };
  if (!token.text.endsWith(')') || token.text.indexOf('(', open + 1) >= 0) {
    problems.push({
      where,
      message: `malformed client entry "${token.text}" (expected host(options), no spaces)`,
    });
    return undefined;
  }
  const host = open === 0 ? '*' : token.text.slice(0, open);
  return { host, hostWhere: where, options: token.text.slice(open + 1, -1), optionsWhere: where };
}

/**
 * Parses the /etc/exports syntax: `path [-defaults] [client[(options)]]...` per line, `#` comments,
 * `\` continuation, double-quoted paths. `source` names the file in messages (`source:line: ...`).
 */
export function parseExportsFile(text: string, source = 'exports'): ConfigResult<ServerConfig> {
  const problems: ConfigProblem[] = [];
  const where = (line: number): string => `${source}:${line}`;
  const exports: ExportConfig[] = [];
  const wheres: string[] = [];
  for (const logical of tokenize(text, where, problems)) {
    const [pathToken, ...rest] = logical.tokens;
    const lineWhere = where(logical.line);
    let defaults: string | undefined;
    let defaultsWhere: string | undefined;
    if (rest[0]?.text.startsWith('-')) {
      const token = rest.shift()!;
      defaults = token.text.slice(1);
      defaultsWhere = where(token.line);
    }
    const clients: ClientDraft[] = [];
    for (const token of rest) {
      const draft = clientDraft(token, where(token.line), problems);
      if (draft) clients.push(draft);
    }
    const built = buildExport(
      {
        where: lineWhere,
        path: unescapeOctal(pathToken!.text),
        ...(defaults !== undefined && { defaults, defaultsWhere }),
        clients,
      },
      problems,
    );
    if (built) {
      exports.push(built);
      wheres.push(lineWhere);
    }
  }
  checkExportSet(exports, wheres, problems);
  return problems.length > 0 ? failed(problems) : ok({ exports });
}
