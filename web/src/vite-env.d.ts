/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** When set at build time, sign-in goes through Clerk instead of the built-in pages. */
  readonly VITE_CLERK_PUBLISHABLE_KEY?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
