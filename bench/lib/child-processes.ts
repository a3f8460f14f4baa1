import { spawn, type ChildProcess } from 'node:child_process'

/**
 * Every process the benchmark starts, so that none outlives it: a leftover BFF
 * or mocks process would keep its ports and skew the next engineer's numbers
 * on this shared machine.
 */
const running = new Set<BenchChild>()

/** A child that runs until stopped (mocks, BFF, baseline) or until it exits by itself (wrk). */
export interface BenchChild {
  readonly name: string
  readonly process: ChildProcess
  /** The child's pid; children are spawned without a shell, so it is the program's own pid. */
  readonly pid: number
  /** Everything the child has written to stdout so far. */
  stdout(): string
  /** Everything the child has written to stderr so far (shown when it fails). */
  stderr(): string
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>
  /** SIGTERM, then SIGKILL after `graceMs`: a graceful stop lets `--cpu-prof` write its profile. */
  stop(graceMs?: undefined | number): Promise<void>
}

export interface SpawnOptions {
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
  readonly env: Readonly<Record<string, string>>
  readonly cwd?: undefined | string
}

export function spawnChild(options: SpawnOptions): BenchChild {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: { ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  // Without a listener, a failed spawn (ENOENT) would be an uncaught 'error' event that kills the bench.
  child.once('error', (error) => {
    err += `${error.message}\n`
  })
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`)
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    // Keep the tail only: a chatty child must not grow the bench's heap for minutes.
    err = (err + chunk).slice(-20_000)
  })
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(handle)
      resolve(code)
    })
  })
  const pid = child.pid

  const handle: BenchChild = {
    name: options.name,
    process: child,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
  running.add(handle)
  return handle
}

/** Waits until the child's stdout contains `marker`, failing early if it exits first. */
export async function waitForOutput(child: BenchChild, marker: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (!child.stdout().includes(marker)) {
    if (child.process.exitCode !== null) {
      throw new Error(`${child.name} exited (${child.process.exitCode}) before printing "${marker}":\n${child.stderr()}`)
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not print "${marker}" within ${timeoutMs} ms:\n${child.stderr()}`)
    await nextOutput(child, 100)
  }
  return child.stdout()
}

/** Resolves on the child's next stdout chunk or after `ms`, leaving no listener behind. */
function nextOutput(child: BenchChild, ms: number): Promise<void> {
  const stdout = child.process.stdout
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      stdout?.off('data', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    stdout?.on('data', done)
  })
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Synchronous last resort for `process.on('exit')`, where nothing async can run. */
export function killAllNow(): void {
  for (const child of running) child.process.kill('SIGKILL')
  running.clear()
}

/** Stops every child still running, gracefully first. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()))
}

/**
 * Every bench entry point: the first SIGINT/SIGTERM stops the children
 * gracefully, a second kills them at once, and whatever path leads out
 * (process.exit included), no child survives the bench.
 */
export function stopChildrenOnExit(name: string): { readonly interrupted: boolean } {
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) {
      killAllNow()
      process.exit(130)
    }
    interrupted = true
    process.stderr.write(`${name}: ${signal}, stopping child processes\n`)
    void stopAll().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', killAllNow)
  return {
    get interrupted() {
      return interrupted
    },
  }
}
