import { readFileSync } from 'node:fs'

/** The README's "Example": the home query and the answer it shows, as the mocks' seeded world gives it. */
export function readmeExample(): { readonly query: string; readonly answer: unknown } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Example\n'))
  const block = (language: string): string => {
    const match = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(section)
    if (match?.[1] === undefined) throw new Error(`README "Example" has no ${language} block`)
    return match[1]
  }
  return { query: block('graphql'), answer: JSON.parse(block('json')) as unknown }
}
