// Bundles the console (ui/src, TypeScript + D3) into ui/dist with esbuild. `npm start` runs it when
// the bundle is missing or older than its sources; `npm run build:ui` always does.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = dirname(fileURLToPath(import.meta.url));
const dist = join(ui, 'dist');

function newest(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
}

const bundle = join(dist, 'app.js');
const stale = !existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(newest(join(ui, 'src')), newest(join(ui, 'public')));
if (process.argv.includes('--if-stale') && !stale) process.exit(0);

mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(ui, 'src', 'main.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: bundle,
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css', 'campaign.css']) copyFileSync(join(ui, 'public', file), join(dist, file));
console.log(`built ${bundle}`);
