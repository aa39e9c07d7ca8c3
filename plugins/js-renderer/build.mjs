// Builds renderer.js into a component: `node build.mjs <source.js> <wit folder> <out.wasm>`.
// Every WASI feature componentize-js can leave out is left out: a plugin has no clock,
// network, stdio or randomness to use.
import { componentize } from '@bytecodealliance/componentize-js';
import { readFile, writeFile } from 'node:fs/promises';

const [source, wit, out] = process.argv.slice(2);
const { component } = await componentize(await readFile(source, 'utf8'), {
  witPath: wit,
  worldName: 'invitation-renderer',
  disableFeatures: ['stdio', 'random', 'clocks', 'http', 'fetch-event'],
});
await writeFile(out, component);
