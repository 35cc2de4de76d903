import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app, served by the `api` role at `/app` from `dist/web` (src/webapp/module.ts).
 * `npm run build` builds it; `npm run dev:web` serves it with hot reload, proxying the
 * API to a server on :8080.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  resolve: {
    alias: {
      '@vaultwire/client': fileURLToPath(
        new URL('../packages/client/src/index.ts', import.meta.url),
      ),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
});
