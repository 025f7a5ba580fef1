import path from 'node:path'
import tailwindcss from '@tailwindcss/vite'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const API = 'http://127.0.0.1:8000'

// Same-origin with the API: in dev (and `vite preview`) these paths go to the Python API.
const proxy = Object.fromEntries(
  ['/api', '/health', '/ready', '/metrics', '/docs', '/openapi.json'].map((p) => [
    p,
    { target: API, changeOrigin: false },
  ]),
)

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { '@': path.resolve(import.meta.dirname, './src') },
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
})
