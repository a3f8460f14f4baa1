/**
 * Runs once before the suite. Unhandled rejections fail the run instead of
 * being printed and forgotten (vitest reports them as errors by default; this
 * keeps the policy explicit in one place).
 */
export default async function setup(): Promise<void> {
  process.on('unhandledRejection', (reason) => {
    throw reason instanceof Error ? reason : new Error(String(reason))
  })
}
