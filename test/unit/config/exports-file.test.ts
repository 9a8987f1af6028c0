import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConfigProblem,
  type ConfigResult,
  DEFAULT_CLIENT_OPTIONS,
  describeProblems,
  parseExportsFile,
  type ServerConfig,
} from '../../../src/config/index.js';

function parsed(text: string): ServerConfig {
  const r = parseExportsFile(text, '/etc/exports');
  if (!r.ok) assert.fail(describeProblems(r.problems));
  return r.value;
}

function problems(r: ConfigResult<unknown>): string {
  assert.equal(r.ok, false, 'expected the configuration to be refused');
  return describeProblems((r as { problems: readonly ConfigProblem[] }).problems);
}

describe('the /etc/exports parser', () => {
  it('reads a path with clients and their options', () => {
    const { exports } = parsed('/srv/data 10.0.0.0/8(rw,root_squash) 127.0.0.1(rw,no_root_squash)\n');
    assert.equal(exports.length, 1);
    const [e] = exports;
    assert.equal(e!.path, '/srv/data');
    assert.equal(e!.name, '/srv/data', 'the MOUNT name defaults to the path');
    assert.deepEqual(
      e!.clients.map((c) => [c.spec.text, c.options.access, c.options.squash]),
      [
        ['10.0.0.0/8', 'rw', 'root_squash'],
        ['127.0.0.1', 'rw', 'no_root_squash'],
      ],
    );
  });

  it('applies the exports(5) defaults: ro, root_squash, anonuid/anongid 65534, secure, sync, nocrossmnt', () => {
    const { exports } = parsed('/srv host1\n');
    assert.deepEqual(exports[0]!.clients[0]!.options, DEFAULT_CLIENT_OPTIONS);
    assert.deepEqual(DEFAULT_CLIENT_OPTIONS, {
      access: 'ro',
      squash: 'root_squash',
      anonuid: 65534,
      anongid: 65534,
      secure: true,
      sync: true,
      crossmnt: false,
    });
  });

  it('understands every option', () => {
    const { exports } = parsed(
      '/a *(rw,no_root_squash,anonuid=1000,anongid=100,insecure,async,crossmnt,fsid=7,name=/export)\n' +
        '/b *(all_squash,ro,secure,sync,nocrossmnt,no_subtree_check)\n',
    );
    const [a, b] = exports;
    assert.deepEqual(a!.clients[0]!.options, {
      access: 'rw',
      squash: 'no_root_squash',
      anonuid: 1000,
      anongid: 100,
      secure: false,
      sync: false,
      crossmnt: true,
    });
    assert.equal(a!.fsid, 7n);
    assert.equal(a!.name, '/export');
    assert.equal(b!.clients[0]!.options.squash, 'all_squash');
    assert.equal(b!.fsid, undefined);
  });

  it('lets all_squash win over no_root_squash whatever their order', () => {
    const { exports } = parsed('/a *(no_root_squash,all_squash)\n/b *(all_squash,no_root_squash)\n');
    assert.equal(exports[0]!.clients[0]!.options.squash, 'all_squash');
    assert.equal(exports[1]!.clients[0]!.options.squash, 'all_squash');
  });

  it('skips comments and blank lines, and joins lines continued with a backslash', () => {
    const { exports } = parsed(
      '# exported trees\n\n/srv/a \\\n   10.1.0.0/16(rw) \\\n   *(ro)   # everyone else read-only\n/srv/b 127.0.0.1\n',
    );
    assert.deepEqual(
      exports.map((e) => [e.path, e.clients.map((c) => c.spec.text)]),
      [
        ['/srv/a', ['10.1.0.0/16', '*']],
        ['/srv/b', ['127.0.0.1']],
      ],
    );
  });

  it('accepts quoted paths and octal escapes for spaces', () => {
    const { exports } = parsed('"/srv/my data" *(ro)\n/srv/other\\040dir *(ro)\n');
    assert.equal(exports[0]!.path, '/srv/my data');
    assert.equal(exports[1]!.path, '/srv/other dir');
  });

  it('uses -options as the defaults for every client on the line, which each client may override', () => {
    const { exports } = parsed('/srv -rw,insecure 10.0.0.1 10.0.0.2(ro)\n');
    const [one, two] = exports[0]!.clients;
    assert.equal(one!.options.access, 'rw');
    assert.equal(one!.options.secure, false);
    assert.equal(two!.options.access, 'ro');
    assert.equal(two!.options.secure, false);
  });

  it('exports to everyone when no client is listed, and treats a bare (options) as the wildcard', () => {
    const { exports } = parsed('/a\n/b (rw)\n');
    assert.equal(exports[0]!.clients[0]!.spec.kind, 'anyone');
    assert.equal(exports[1]!.clients[0]!.spec.kind, 'anyone');
    assert.equal(exports[1]!.clients[0]!.options.access, 'rw');
  });

  it('normalises paths (trailing slashes, repeated slashes)', () => {
    assert.equal(parsed('/srv//data/ *\n').exports[0]!.path, '/srv/data');
  });

  it('refuses an unknown option, naming the option and the line', () => {
    const message = problems(parseExportsFile('/a *(rw)\n\n/b *(rw,frobnicate)\n', '/etc/exports'));
    assert.match(message, /^\/etc\/exports:3: unknown option "frobnicate"$/);
  });

  it('reports problems on continued lines at the physical line they are on', () => {
    const message = problems(parseExportsFile('/a \\\n  *(rw) \\\n  10.0.0.0/33(ro)\n', 'exports'));
    assert.match(message, /^exports:3: not an address or CIDR: 10\.0\.0\.0\/33$/);
  });

  it('reports every problem at once', () => {
    const message = problems(parseExportsFile('relative *(rw)\n/b *(anonuid=x,sync=1)\n/c host(rw\n', 'f'));
    assert.match(message, /f:1: export path must be absolute: "relative"/);
    assert.match(message, /f:2: option "anonuid" needs a number/);
    assert.match(message, /f:2: option "sync" takes no value/);
    assert.match(message, /f:3: malformed client entry "host\(rw"/);
  });

  it('refuses two exports with the same MOUNT name or the same fsid', () => {
    assert.match(
      problems(parseExportsFile('/a *\n/a *\n', 'f')),
      /f:2: export name \/a is already used by f:1/,
    );
    assert.match(
      problems(parseExportsFile('/a *(fsid=1)\n/b *(fsid=1)\n', 'f')),
      /f:2: fsid 1 is already used by f:1/,
    );
  });

  it('refuses conflicting fsid values within one export', () => {
    assert.match(
      problems(parseExportsFile('/a 10.0.0.1(fsid=1) 10.0.0.2(fsid=2)\n', 'f')),
      /conflicting fsid/,
    );
  });

  it('refuses netgroups and host wildcards, which it cannot evaluate', () => {
    assert.match(problems(parseExportsFile('/a @trusted(rw)\n', 'f')), /netgroups are not supported/);
    assert.match(problems(parseExportsFile('/a *.example.com(rw)\n', 'f')), /wildcards are not supported/);
  });

  it('refuses an unterminated quote', () => {
    assert.match(problems(parseExportsFile('"/a *(rw)\n', 'f')), /f:1: unterminated quote/);
  });
});
