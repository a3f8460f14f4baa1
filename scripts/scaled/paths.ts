import { fileURLToPath } from 'node:url'

/** The repository root, from scripts/scaled/ (tests, tsx) or dist/scripts/scaled/ (npm run start:scaled) alike. */
export const REPO_ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url))

/** A compiled entry point under dist/ (the processes run what `npm run build` produced). */
export const distEntry = (path: string): string => `${REPO_ROOT}dist/${path}`
