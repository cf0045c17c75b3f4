// Builds the Storage Browser example into storage-browser-example/dist; serve.mjs serves it with its config.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const HERE = new URL('.', import.meta.url);
// The Storage Browser registers /amplify-storage-download/download-sw.js for zip downloads of several files (its
// "copy-serviceworker" set-up step); without it, it falls back to in-memory downloads and warns.
const DOWNLOAD_WORKER = new URL('../node_modules/@aws-amplify/ui-react-storage/dist/download-sw.js', HERE);

export default defineConfig({
  root: fileURLToPath(HERE),
  plugins: [
    {
      name: 'storage-browser-download-worker',
      writeBundle() {
        const target = new URL('dist/amplify-storage-download/', HERE);
        mkdirSync(target, { recursive: true });
        copyFileSync(DOWNLOAD_WORKER, new URL('download-sw.js', target));
      },
    },
  ],
  base: './',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Amplify, React and Amplify UI make one large chunk; that is fine for an example.
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      onwarn(warning, warn) {
        // Amplify UI's Radix components start with "use client" (React Server Components): meaningless in a bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
