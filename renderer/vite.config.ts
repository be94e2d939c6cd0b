import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const gateway = process.env['SWITCHBOARD_URL'] ?? 'http://127.0.0.1:4141';

/**
 * The dashboard build: `serve` answers it at /ui/, and the desktop window loads the same files.
 * `npx vite --config renderer/vite.config.ts` runs it against a gateway at $SWITCHBOARD_URL; sign
 * in there with the gateway's login link, opened on the dev server's origin.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // recharts and react are most of the bundle; one file loads faster from localhost than many.
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/admin': { target: gateway, changeOrigin: true },
      '/ui/login': { target: gateway, changeOrigin: true },
    },
  },
});
