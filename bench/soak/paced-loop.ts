/**
 * Calls `task(n)` at evenly spaced instants, `ratePerS` a second, until
 * `signal` aborts; resolves once every call it started has settled. At most
 * `maxInFlight` calls run at once: past it, instants are skipped rather than
 * queued, so a stalling server is not buried under a backlog of our making.
 */
export async function runPacedLoop(
  ratePerS: number,
  signal: AbortSignal,
  maxInFlight: number,
  task: (n: number) => Promise<void>,
): Promise<{ readonly started: number; readonly skipped: number }> {
  const intervalMs = 1_000 / ratePerS
  const inFlight = new Set<Promise<void>>()
  const begin = performance.now()
  let next = 0
  let started = 0
  let skipped = 0
  while (!signal.aborted) {
    while (begin + next * intervalMs <= performance.now()) {
      if (inFlight.size >= maxInFlight) skipped += 1
      else {
        // A task's own failure is its business (it counts it); the loop must go on.
        const call = task(started)
          .catch(() => undefined)
          .finally(() => inFlight.delete(call))
        inFlight.add(call)
        started += 1
      }
      next += 1
    }
    const wait = begin + next * intervalMs - performance.now()
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, wait))
      signal.addEventListener('abort', done, { once: true })
      function done(): void {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
    })
  }
  await Promise.all(inFlight)
  return { started, skipped }
}
