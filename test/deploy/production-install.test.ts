import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'
import { promisify } from 'node:util'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestToken } from '../../mocks/auth/token-client.js'
import { spawnChild, type BenchChild } from '../../bench/lib/child-processes.js'
import { startMocks, type RunningMocks } from '../../mocks/start-mocks.js'
import { shippedNodeFlags } from '../../scripts/node-flags.js'
import { SERVICE_NAMES } from '../../src/config/services.js'
import { ensureBuilt } from '../helpers/built-dist.js'
import { freePort } from '../helpers/redis-server.js'
import { waitFor } from '../helpers/wait-for.js'
import { only, parseDockerfile, stageEnv, stageNamed, type Instruction } from './dockerfile.js'
import { readmeExample } from './readme-example.js'

const run = promisify(execFile)
const DOCKERFILE = new URL('../../deploy/Dockerfile', import.meta.url)
const stages = parseDockerfile(await readFile(DOCKERFILE, 'utf8'))
const runtime = stageNamed(stages, 'runtime')
const buildWorkdir = only(stageNamed(stages, 'build'), 'WORKDIR').args[0] ?? '/'

/** COPY into `dir` (the image's WORKDIR) as Docker does: from the context (repository root) or from the build stage (dist/ built here). */
async function copyStep(step: Instruction, root: string, dir: string): Promise<void> {
  const sources = step.args.slice(0, -1)
  const dest = join(dir, step.args.at(-1) ?? '.')
  for (const source of sources) {
    const from = step.flags['from'] === 'build' ? join(root, relative(buildWorkdir, source)) : join(root, source)
    const isDir = (await stat(from)).isDirectory()
    const target = isDir || !(step.args.at(-1) ?? '').endsWith('/') ? dest : join(dest, basename(from))
    await cp(from, target, { recursive: true })
  }
}

/**
 * The image cannot be built on these machines (no container runtime), so
 * this test performs its runtime stage step by step, read from
 * deploy/Dockerfile: the COPYs into a temporary folder, the RUN (a
 * production `npm ci`), then the CMD with its node flags, against mocks
 * started here and without REDIS_URL, and the HEALTHCHECK against that.
 */
describe('deploy/Dockerfile runtime stage, performed without Docker', () => {
  let dir = ''
  let mocks: RunningMocks | undefined
  let bff: BenchChild | undefined
  let origin = ''

  beforeAll(async () => {
    const root = await ensureBuilt()
    dir = await mkdtemp(join(tmpdir(), 'bff-image-'))
    for (const step of runtime.instructions) {
      if (step.keyword === 'COPY') await copyStep(step, root, dir)
      // RUN's own flags (a BuildKit cache mount) only speed the build up; the command is what runs.
      if (step.keyword === 'RUN') await run('sh', ['-c', step.text], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? dir } })
    }
    // As deployed: the services check the caller's identity, which the BFF verifies against the provider and relays.
    mocks = await startMocks({ ports: Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])), requireIdentity: true })
    const port = await freePort()
    origin = `http://127.0.0.1:${port}`
    const [command, ...args] = only(runtime, 'CMD').args
    expect(command).toBe('node')
    bff = spawnChild({
      name: 'bff (image CMD)',
      command: process.execPath,
      args,
      cwd: dir,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...stageEnv(runtime),
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        AUTH_JWKS_URL: mocks.auth.jwksUrl,
        AUTH_ISSUER: mocks.auth.url,
        // Two shared cores under the whole suite: the README's answer must not lose a leg to a 250 ms limit.
        DOWNSTREAM_TIMEOUT_MS: '5000',
        RECOMMENDATIONS_TIMEOUT_MS: '5000',
        REQUEST_DEADLINE_MS: '10000',
        ...Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, mocks?.urls[name] ?? ''])),
      },
    })
    await waitFor(
      async () => {
        if (bff?.process.exitCode !== null) throw new Error(`the BFF exited: ${bff?.stderr() ?? ''}`)
        return (await request(`${origin}/health/ready`)).statusCode === 200
      },
      { timeoutMs: 30_000, intervalMs: 100, message: '/health/ready of the BFF started from the image folder' },
    )
  }, 600_000)

  afterAll(async () => {
    await bff?.stop()
    await mocks?.close()
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('installs production dependencies only, with the ioredis patch applied (postinstall)', async () => {
    await expect(stat(join(dir, 'node_modules/fastify'))).resolves.toBeTruthy()
    for (const devOnly of ['typescript', 'vitest', 'tsx']) await expect(stat(join(dir, 'node_modules', devOnly))).rejects.toThrow()
    // As test/unit/cache/ioredis-pipeline.test.ts: pipelines share one hidden class, `length` is on the prototype.
    const check = `import { Redis } from 'ioredis'
      const client = new Redis({ lazyConnect: true })
      const [a, b] = [client.pipeline(), client.pipeline()]
      process.stdout.write(String(%HaveSameMap(a, b) && Object.getOwnPropertyDescriptor(a, 'length') === undefined))
      client.disconnect()`
    const { stdout } = await run(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', check], { cwd: dir })
    expect(stdout).toBe('true')
  })

  it('starts with the shipped node flags and answers the README home query', async () => {
    expect(only(runtime, 'CMD').args).toEqual(['node', ...shippedNodeFlags(), 'dist/src/server.js'])
    const { query, answer } = readmeExample()
    const { access_token: token } = await requestToken(mocks?.auth.url ?? '', { sub: '1' })
    const response = await request(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    })
    expect(response.statusCode).toBe(200)
    expect(await response.body.json()).toEqual(answer)
  })

  it('passes its own HEALTHCHECK command', async () => {
    const [command, ...args] = only(runtime, 'HEALTHCHECK').args
    expect(command).toBe('node')
    await expect(run(process.execPath, args, { env: { PORT: new URL(origin).port } })).resolves.toBeTruthy()
    // …and the same command fails when nothing answers, so it can tell.
    await expect(run(process.execPath, args, { env: { PORT: String(await freePort()) } })).rejects.toThrow()
  })

  it('runs as the unprivileged user of the official Node image', () => {
    expect(only(runtime, 'USER').args).toEqual(['node'])
  })

  it('is sent exactly what it copies from the build context (deploy/Dockerfile.dockerignore)', async () => {
    const ignore = (await readFile(new URL('../../deploy/Dockerfile.dockerignore', import.meta.url), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
    expect(ignore[0]).toBe('**')
    const allowed = new Set(ignore.slice(1).map((line) => line.replace(/^!/, '').replace(/\/$/, '')))
    const copied = new Set(
      stages.flatMap((stage) =>
        stage.instructions
          .filter((step) => step.keyword === 'COPY' && step.flags['from'] === undefined)
          .flatMap((step) => step.args.slice(0, -1).map((source) => source.replace(/\/$/, ''))),
      ),
    )
    expect([...copied].sort()).toEqual([...allowed].sort())
  })
})
