import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { emitTypeScript } from './emit.js';
import { parseXdr } from './parser.js';

/** Generates one TypeScript module per `.x` file; returns file name -> content. */
export function generateAll(xdrDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(xdrDir)
    .filter((n) => n.endsWith('.x'))
    .sort()) {
    const spec = parseXdr(`xdr/${f}`, readFileSync(join(xdrDir, f), 'utf8'));
    out.set(`${basename(f, '.x')}.ts`, emitTypeScript(spec, '../index.js'));
  }
  return out;
}

function main(argv: string[]): void {
  const [xdrDir, outDir] = argv;
  if (!xdrDir || !outDir) {
    process.stderr.write('usage: gen XDR_DIR OUT_DIR\n');
    process.exit(2);
  }
  for (const [name, text] of generateAll(xdrDir)) {
    writeFileSync(join(outDir, name), text);
    process.stdout.write(`wrote ${join(outDir, name)}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
