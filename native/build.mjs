// Builds native/build/Release/fsat.node with node-gyp (bundled with npm, which names it in
// npm_config_node_gyp when running a package script). When the running Node's own headers are installed
// next to it (<prefix>/include/node, as distribution packages and the official tarballs do), they are
// used, so the build needs no network; otherwise node-gyp downloads the headers for this Node version.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = dirname(dirname(process.execPath));
const localHeaders = existsSync(join(prefix, 'include', 'node', 'node_api.h'));

const gyp = process.env.npm_config_node_gyp;
const [command, ...prefixArgs] = gyp ? [process.execPath, gyp] : ['node-gyp'];
const args = [...prefixArgs, 'rebuild', '--loglevel=warn', '--directory', here, ...(localHeaders ? [`--nodedir=${prefix}`] : [])];

const result = spawnSync(command, args, { stdio: 'inherit' });
if (result.error) {
  console.error(`cannot run node-gyp: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
