import { availableParallelism } from 'node:os';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The relay serves the built console at `/` on the same origin as its API, so every URL
// in the app is relative. In development `vite` proxies the API and Socket.IO to it.
const RELAY = process.env.TELEDESK_RELAY || 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      // The relay takes changes and sockets from its own origin only: speak as it.
      '/api': { target: RELAY, changeOrigin: true, headers: { origin: RELAY } },
      '/socket.io': { target: RELAY, ws: true, changeOrigin: true, headers: { origin: RELAY } },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    // Each spec file gets its own jsdom (most of the run is making them): use every core, not all but one.
    maxWorkers: availableParallelism(),
    setupFiles: ['./src/test/setup.js'],
    include: ['src/**/*.spec.js'],
    mockReset: true,
    restoreMocks: true,
    unstubGlobals: true,
  },
});
