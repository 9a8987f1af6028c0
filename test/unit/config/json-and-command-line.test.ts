import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConfigProblem,
  type ConfigResult,
  describeProblems,
  exportFromCommandLine,
  parseJsonConfig,
} from '../../../src/config/index.js';

function refused(r: ConfigResult<unknown>): string {
  assert.equal(r.ok, false, 'expected the configuration to be refused');
  return describeProblems((r as { problems: readonly ConfigProblem[] }).problems);
}

describe('the JSON configuration', () => {
  it('reads exports with a MOUNT name, defaults and per-client options', () => {
    const r = parseJsonConfig(
      JSON.stringify({
        exports: [
          {
            path: '/srv/data',
            name: '/export',
            options: 'insecure',
            clients: [{ host: '127.0.0.1/32', options: 'rw,no_root_squash' }, { host: '*' }],
          },
        ],
      }),
    );
    if (!r.ok) assert.fail(describeProblems(r.problems));
    const [e] = r.value.exports;
    assert.equal(e!.path, '/srv/data');
    assert.equal(e!.name, '/export');
    assert.deepEqual(
      e!.clients.map((c) => [c.spec.text, c.options.access, c.options.squash, c.options.secure]),
      [
        ['127.0.0.1/32', 'rw', 'no_root_squash', false],
        ['*', 'ro', 'root_squash', false],
      ],
    );
  });

  it('names the exact place of each problem', () => {
    const message = refused(
      parseJsonConfig(
        JSON.stringify({
          exports: [
            { path: '/a', clients: [{ host: '*' }, { host: '300.1.1.1' }] },
            { path: 'b', clients: [{ host: '*', options: 'rw,bogus' }], extra: 1 },
            { name: '/c' },
            { path: '/d', clients: 'everyone' },
          ],
        }),
      ),
    );
    assert.match(message, /^exports\[0\]\.clients\[1\]\.host: not an address or CIDR: 300\.1\.1\.1$/m);
    assert.match(message, /^exports\[1\]\.extra: unknown key/m);
    assert.match(message, /^exports\[1\]\.path: export path must be absolute: "b"$/m);
    assert.match(message, /^exports\[1\]\.clients\[0\]\.options: unknown option "bogus"$/m);
    assert.match(message, /^exports\[2\]\.path: is required$/m);
    assert.match(message, /^exports\[3\]\.clients: must be an array, not a string$/m);
  });

  it('says when the text is not JSON, or exports is missing or of the wrong type', () => {
    assert.match(refused(parseJsonConfig('{ exports: ')), /not valid JSON/);
    assert.match(refused(parseJsonConfig('{}')), /^exports: is required$/);
    assert.match(refused(parseJsonConfig('[]')), /must be an object, not an array/);
    assert.match(
      refused(parseJsonConfig('{"exports":[{"path":7}]}')),
      /^exports\[0\]\.path: must be a string, not a number$/,
    );
  });

  it('refuses unknown top-level keys, except those another part of the server reads', () => {
    const text = JSON.stringify({ exports: [], listen: { port: 2049 } });
    assert.match(refused(parseJsonConfig(text)), /^listen: unknown key/);
    const r = parseJsonConfig(text, { otherKeys: ['listen'] });
    assert.ok(r.ok);
    assert.deepEqual(r.value.other, { listen: { port: 2049 } });
  });
});

describe('the command-line export', () => {
  it('exports one directory to everyone by default, under its own path', () => {
    const r = exportFromCommandLine({ dir: '/srv/data/' });
    if (!r.ok) assert.fail(describeProblems(r.problems));
    const [e] = r.value.exports;
    assert.equal(e!.path, '/srv/data');
    assert.equal(e!.name, '/srv/data');
    assert.deepEqual(
      e!.clients.map((c) => [c.spec.kind, c.options.access]),
      [['anyone', 'ro']],
    );
  });

  it('takes -o options, --name and explicit clients', () => {
    const r = exportFromCommandLine({
      dir: '/srv',
      options: 'rw,insecure,fsid=3',
      name: '/export',
      clients: ['127.0.0.1'],
    });
    if (!r.ok) assert.fail(describeProblems(r.problems));
    const [e] = r.value.exports;
    assert.equal(e!.name, '/export');
    assert.equal(e!.fsid, 3n);
    assert.equal(e!.clients[0]!.spec.text, '127.0.0.1');
    assert.equal(e!.clients[0]!.options.access, 'rw');
    assert.equal(e!.clients[0]!.options.secure, false);
  });

  it('refuses bad options and a relative --name', () => {
    assert.match(
      refused(exportFromCommandLine({ dir: '/srv', options: 'rw,nope' })),
      /^-o: unknown option "nope"$/m,
    );
    assert.match(
      refused(exportFromCommandLine({ dir: '/srv', name: 'export' })),
      /^--name: export name must be an absolute path/m,
    );
  });
});
