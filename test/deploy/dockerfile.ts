/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  readonly keyword: string
  /** `--from=build` and the like, by name. */
  readonly flags: Readonly<Record<string, string>>
  /** The arguments after the flags: the JSON array of an exec form, or the words of a shell form. */
  readonly args: readonly string[]
  /** The arguments as written (shell form of RUN). */
  readonly text: string
}

export interface Stage {
  readonly name: string
  readonly image: string
  readonly instructions: readonly Instruction[]
}

/**
 * A small Dockerfile reader, enough for deploy/Dockerfile: comments,
 * backslash continuations, `--flag=value` options, exec (JSON) and shell
 * forms, `ARG` defaults substituted into `FROM`, and stages by name.
 */
export function parseDockerfile(text: string): readonly Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const args = new Map<string, string>()
  const stages: { name: string; image: string; instructions: Instruction[] }[] = []
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/)
    let remainder = rest.join(' ')
    const flags: Record<string, string> = {}
    for (let flag = /^--([\w-]+)=(\S+)\s*/.exec(remainder); flag !== null; flag = /^--([\w-]+)=(\S+)\s*/.exec(remainder)) {
      flags[flag[1] ?? ''] = flag[2] ?? ''
      remainder = remainder.slice(flag[0].length)
    }
    const upper = keyword.toUpperCase()
    if (upper === 'ARG') {
      const [name = '', value = ''] = remainder.split('=')
      args.set(name, value)
      continue
    }
    // HEALTHCHECK [options] CMD <command>: the command is what runs.
    if (upper === 'HEALTHCHECK' && remainder.startsWith('CMD ')) remainder = remainder.slice(4).trim()
    const words = remainder.startsWith('[') ? (JSON.parse(remainder) as string[]) : remainder.split(/\s+/)
    if (upper === 'FROM') {
      const image = (words[0] ?? '').replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? '')
      stages.push({ name: words[2] ?? String(stages.length), image, instructions: [] })
      continue
    }
    const stage = stages.at(-1)
    if (stage === undefined) throw new Error(`${keyword} before FROM`)
    stage.instructions.push({ keyword: upper, flags, args: words, text: remainder })
  }
  return stages
}

/** The stage named `name`; throws when there is none. */
export function stageNamed(stages: readonly Stage[], name: string): Stage {
  const stage = stages.find((candidate) => candidate.name === name)
  if (stage === undefined) throw new Error(`no stage "${name}" in the Dockerfile`)
  return stage
}

/** `ENV A=1 B=2` instructions of a stage, merged. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue
    for (const pair of args) {
      const at = pair.indexOf('=')
      env[pair.slice(0, at)] = pair.slice(at + 1)
    }
  }
  return env
}

/** The single instruction `keyword` of a stage (CMD, HEALTHCHECK, USER); throws unless exactly one. */
export function only(stage: Stage, keyword: string): Instruction {
  const found = stage.instructions.filter((instruction) => instruction.keyword === keyword)
  if (found.length !== 1) throw new Error(`stage ${stage.name}: expected one ${keyword}, found ${found.length}`)
  return found[0] as Instruction
}
