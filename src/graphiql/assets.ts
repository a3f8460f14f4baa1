import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { BffError } from '../errors.js'
import { BOOTSTRAP_JS, PAGE_CSS } from './client-sources.js'

/** Where the page loads its assets from; every asset URL is `${GRAPHIQL_ASSETS_PATH}/${name}`. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets'

const JAVASCRIPT = 'text/javascript; charset=utf-8'
const CSS = 'text/css; charset=utf-8'

/** One file the page needs, held in memory and served under GRAPHIQL_ASSETS_PATH. */
export interface GraphiQLAsset {
  /** The URL's last segment, e.g. `graphiql.min.js`. */
  readonly name: string
  readonly contentType: string
  readonly body: Buffer
  /** Content hash: the ETag and the `?v=` that makes the long cache safe across upgrades. */
  readonly hash: string
  /** Where it came from, e.g. `graphiql@4.1.2/graphiql.min.js`, for logs and errors. */
  readonly source: string
}

interface VendorFile {
  readonly name: string
  readonly packageName: string
  /** Path inside the package. */
  readonly file: string
  readonly contentType: string
}

/**
 * The vendor files, in the order the page loads them. UMD builds, because they
 * run from a plain <script> with no bundler: react@18 is the last React with
 * UMD builds, and graphiql@4 the last GraphiQL (v5 ships ESM only). The
 * graphiql bundle includes graphql and the graphql-ws client, and its CSS
 * inlines its fonts and images as data: URLs, so nothing else is fetched.
 */
const VENDOR_FILES: readonly VendorFile[] = [
  { name: 'react.production.min.js', packageName: 'react', file: 'umd/react.production.min.js', contentType: JAVASCRIPT },
  { name: 'react-dom.production.min.js', packageName: 'react-dom', file: 'umd/react-dom.production.min.js', contentType: JAVASCRIPT },
  { name: 'graphiql.min.js', packageName: 'graphiql', file: 'graphiql.min.js', contentType: JAVASCRIPT },
  { name: 'graphiql.min.css', packageName: 'graphiql', file: 'graphiql.min.css', contentType: CSS },
]

/** Resolves a package's package.json to an absolute path (node resolution by default). */
export type ResolvePackageJson = (packageName: string) => string

const resolveFromHere: ResolvePackageJson = (packageName) =>
  createRequire(import.meta.url).resolve(`${packageName}/package.json`)

function createAsset(name: string, contentType: string, body: Buffer, source: string): GraphiQLAsset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16)
  return { name, contentType, body, hash, source }
}

function readVendorFile(vendor: VendorFile, resolvePackageJson: ResolvePackageJson): GraphiQLAsset {
  const wanted = `${vendor.packageName}/${vendor.file}`
  let path = wanted
  try {
    const packageJsonPath = resolvePackageJson(vendor.packageName)
    const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown }
    path = join(dirname(packageJsonPath), vendor.file)
    return createAsset(vendor.name, vendor.contentType, readFileSync(path), `${vendor.packageName}@${String(version)}/${vendor.file}`)
  } catch (cause) {
    // Fail at boot rather than serve a page whose scripts 404: a missing file
    // means the package is absent or a major upgrade moved it (React 19 has no UMD).
    throw new BffError(
      'BFF_ERR_CONFIG_INVALID',
      `GraphiQL is enabled but its asset ${wanted} could not be read (${path}): ` +
        `install the dependencies (npm ci) or disable GraphiQL`,
      { cause },
    )
  }
}

/**
 * Reads every asset the GraphiQL page needs into memory, once, at plugin start:
 * the vendor bundles from node_modules (resolved, never copied into the repo)
 * plus our bootstrap script and page CSS. Throws BFF_ERR_CONFIG_INVALID naming
 * the first file that is missing.
 */
export function loadGraphiQLAssets(resolvePackageJson: ResolvePackageJson = resolveFromHere): readonly GraphiQLAsset[] {
  return [
    ...VENDOR_FILES.map((vendor) => readVendorFile(vendor, resolvePackageJson)),
    createAsset('page.css', CSS, Buffer.from(PAGE_CSS), 'src/graphiql/client-sources.ts'),
    createAsset('bootstrap.js', JAVASCRIPT, Buffer.from(BOOTSTRAP_JS), 'src/graphiql/client-sources.ts'),
  ]
}

/** The URL the page uses for an asset; the hash changes whenever the file does. */
export function assetUrl(asset: GraphiQLAsset): string {
  return `${GRAPHIQL_ASSETS_PATH}/${asset.name}?v=${asset.hash}`
}
