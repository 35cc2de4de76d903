import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The 3D mall, served by the `api` role at `/mall` from `dist/mall` (src/mall/module.ts).
 * A light shell (the store list, cart and checkout in plain HTML) loads first; three.js and
 * the scene are a separate chunk it imports only when the browser has WebGL.
 * `npm run build` builds it; `npm run dev:mall` serves it with hot reload.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/mall/',
  resolve: {
    alias: {
      '@vaultwire/client': fileURLToPath(
        new URL('../packages/client/src/index.ts', import.meta.url),
      ),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/mall', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    // three.js alone is ~700 kB before gzip; it is the lazy chunk, on purpose.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:8080', '/mall/presence': 'http://127.0.0.1:8080' },
  },
});
