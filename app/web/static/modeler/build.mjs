// Bundles the modeler pages' scripts and styles (bpmn-js, dmn-js, bpmnlint from node_modules)
// into app/web/static/build/modeler/ — git-ignored, rebuilt by `npm run build`, which
// scripts/serve and scripts/test run after `npm ci`. The machine is offline: nothing is
// fetched, everything comes from node_modules.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'build', 'modeler');

await build({
  entryPoints: {
    'bpmn-editor': join(here, 'bpmn-editor.js'),
    'dmn-editor': join(here, 'dmn-editor.js'),
    'diff-view': join(here, 'diff-view.js'),
  },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  platform: 'browser',
  outdir,
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
console.log(`modeler assets built in ${outdir}`);
