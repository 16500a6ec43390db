// Bundles the statistics dashboard's script (ECharts from node_modules) into
// app/statistics/static/build/ — git-ignored, rebuilt by `npm run build` like the modeler's.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'static', 'build');

await build({
  entryPoints: { dashboard: join(here, 'dashboard.js') },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  platform: 'browser',
  outdir,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
console.log(`statistics assets built in ${outdir}`);
