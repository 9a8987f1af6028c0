#!/usr/bin/env node
// First: the thread pool is sized before any module could start using it.
import './thread-pool.js';
import { exportsList, handleInspect, keys, status } from './admin.js';
import { UsageError } from './args.js';
import { SERVE_USAGE, serve } from './serve.js';

const USAGE = `usage: nfsgate COMMAND [options]
  serve [DIR]                 serve DIR (default ./export) over NFSv3; see nfsgate serve --help
  keys list|rotate|retire ID  the handle keys
  handle inspect HEX          decode a file handle and say whether it is valid
  exports list                the exports this state folder knows
  status                      what the state folder holds
Every command takes --state DIR.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'keys':
      return keys(rest);
    case 'handle':
      return handleInspect(rest);
    case 'exports':
      if (rest[0] !== 'list') throw new UsageError('usage: nfsgate exports list [--state DIR]');
      return exportsList(rest);
    case 'status':
      return status(rest);
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n\n${SERVE_USAGE}\n`);
      return 0;
    default:
      throw new UsageError(USAGE);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (err instanceof Error && (err.name === 'StoreRefusedError' || err.name === 'ExportOpenError')) {
      process.stderr.write(`nfsgate: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`nfsgate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
