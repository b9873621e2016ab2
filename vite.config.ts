import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The server the dev server forwards REST and WebSocket traffic to (`phasewatch serve`). */
const server = process.env.PHASEWATCH_URL ?? 'http://127.0.0.1:8787';

/**
 * Builds the dashboard (src/dashboard) into dist/dashboard, which the phasewatch server serves, with
 * figure.html, the page `phasewatch reproduce` draws its figures on.
 * `base: './'` keeps every asset URL relative, so the bundle works wherever it is mounted.
 */
export default defineConfig({
  // Resolved against this file, so `vite build` works from any working directory.
  root: fileURLToPath(new URL('src/dashboard', import.meta.url)),
  base: './',
  build: {
    outDir: '../../dist/dashboard',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The dashboard, and the page that draws the reproduction report's figures.
    rollupOptions: { input: { index: fileURLToPath(new URL('src/dashboard/index.html', import.meta.url)), figure: fileURLToPath(new URL('src/dashboard/figure.html', import.meta.url)) } },
  },
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: true },
      '/ws': { target: server, ws: true, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: server, changeOrigin: true },
      '/ws': { target: server, ws: true, changeOrigin: true },
    },
  },
});
