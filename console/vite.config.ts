import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console is a static single-page app served under /app/ (the local gateway, or CloudFront in
 * AWS). Its runtime settings (which identity provider, the API's URL) come from /app/config.json,
 * served beside it, so one build runs everywhere. No inline scripts or styles are emitted, so the
 * CSP needs no 'unsafe-inline'.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The module preload polyfill is an inline script: modern browsers preload natively.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
});
