// The console is a static bundle that placement-api serves at /console (MXS_CONSOLE_DIR).
// `nx serve admin-console` runs Vite's dev server against an API on MXS_API_URL instead.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
const api = process.env['MXS_API_URL'] ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: `${root}/../../dist/apps/admin-console`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 4200,
    proxy: { '/admin': api, '/billing': api, '/v1': api },
  },
});
