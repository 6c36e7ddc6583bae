import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The C console serves dist/index.html at /dashboard/assets and dist/assets/*
// at /assets/*, so Vite's defaults (base '/', assetsDir 'assets') are kept.
// `npm run dev` proxies /api to a console running on this machine's port
// 8080 (its default; start it with --http-port 8080 or edit the target).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
