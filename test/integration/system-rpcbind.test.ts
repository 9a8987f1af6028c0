import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/repo.js';

const run = promisify(execFile);

/**
 * A shell, run in fresh network and mount namespaces, that gives a real rpcbind a private loopback and
 * a private /run (so neither port 111 nor /run/rpcbind.sock of this machine is touched), then runs the
 * fixture next to it and stops rpcbind by its PID.
 */
const SCRIPT = `
set -e
ip link set lo up
mount -t tmpfs tmpfs /run
/usr/sbin/rpcbind -f -w &
RPCBIND=$!
for i in $(seq 1 50); do [ -S /run/rpcbind.sock ] && break; sleep 0.1; done
[ -S /run/rpcbind.sock ] || { echo "rpcbind did not start" >&2; kill $RPCBIND; exit 3; }
set +e
node "$1"
STATUS=$?
kill $RPCBIND
wait $RPCBIND 2>/dev/null
exit $STATUS
`;

describe('registration with the system rpcbind', () => {
  it('happens over rpcbind’s local socket when port 111 is taken, and is undone on close', async () => {
    const fixture = join(repoRoot(), 'dist/test/integration/fixtures/register-with-system-rpcbind.js');
    const { stdout } = await run(
      'unshare',
      ['--net', '--mount', '--propagation', 'private', 'sh', '-c', SCRIPT, 'sh', fixture],
      {
        timeout: 60_000,
      },
    );
    const report = JSON.parse(stdout) as {
      error?: string;
      kind: string;
      via: string;
      port: number;
      registered: string;
      ready: string;
      afterClose: string;
    };
    assert.equal(report.error, undefined);
    assert.equal(report.kind, 'system');
    assert.equal(report.via, 'rpcbind at /run/rpcbind.sock');
    for (const proto of ['tcp', 'udp']) {
      assert.match(
        report.registered,
        new RegExp(`^\\s*100003\\s+3\\s+${proto}\\s+${report.port}\\s+nfs`, 'm'),
      );
    }
    assert.match(report.ready, /program 100003 version 3 ready and waiting/);
    assert.doesNotMatch(report.afterClose, /100003/);
    assert.match(report.afterClose, /100000\s+4\s+tcp\s+111\s+portmapper/, 'rpcbind itself is still there');
  });
});
