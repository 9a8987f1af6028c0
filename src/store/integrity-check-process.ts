// The child process of checkIntegrityInBackground (integrity-check.ts): node integrity-check-process.js FILE
// prints what quick_check finds wrong in FILE as a JSON array of strings.
import Database from 'better-sqlite3';
import { integrityProblems } from './store.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: integrity-check-process.js DATABASE_FILE');
const db = new Database(file, { readonly: true, fileMustExist: true });
let problems: string[];
try {
  problems = integrityProblems(db);
} catch (err) {
  // Damage bad enough to stop the check is a finding too; anything else means it could not run.
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw err;
  problems = [`${code}: ${(err as Error).message}`];
} finally {
  db.close();
}
process.stdout.write(JSON.stringify(problems));
