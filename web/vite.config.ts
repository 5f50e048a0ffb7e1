import { defineConfig } from 'vite';

// The scenario explorer page: web/ -> dist/web, served by Ripple at `/` (src/api/page.ts). Everything is bundled:
// no CDN, no runtime download, so the page works offline.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    modulePreload: { polyfill: false },
  },
});
