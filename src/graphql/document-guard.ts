import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql'

/**
 * A linear, non-recursive look at a parsed document's shape, before any
 * validation rule runs. graphql-js' rules (overlapping fields, values) and
 * graphql-armor's depth rule recurse as deep as a document nests, through
 * fragment spreads; a client who nests 5,000 fields or chains 2,000
 * fragments overflows the stack inside them. Bounding the nesting here, with
 * an explicit stack and one memo per fragment, keeps every later recursion
 * shallow whatever the client sends.
 */
export interface DocumentShapeLimits {
  /**
   * Deepest nesting accepted, counting selection sets, inline fragments and
   * the nesting a fragment spread brings in, and separately the nesting of
   * list and object values. Above any sane depth limit (GraphiQL's
   * introspection query nests about 20 deep this way).
   */
  readonly maxNesting: number
}

interface Spread {
  readonly name: string
  /** Nesting at the spread, within its own definition. */
  readonly at: number
}

interface DefinitionShape {
  /** Deepest nesting within the definition itself, spreads not followed. */
  readonly local: number
  readonly spreads: readonly Spread[]
  /** Deepest list/object value nesting in arguments, defaults and directives. */
  readonly values: number
}

const tooDeep = (found: number, limit: number, what: string): GraphQLError =>
  new GraphQLError(`The document nests ${what} ${found} levels deep; at most ${limit} are accepted.`, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  })

/**
 * The shape errors of `document`, empty when it may go on to validation.
 * Reports fragment cycles too: a rule that follows spreads would loop on one.
 */
export function checkDocumentShape(document: DocumentNode, limits: DocumentShapeLimits): GraphQLError[] {
  const { maxNesting } = limits
  const fragments = new Map<string, DefinitionShape>()
  const operations: DefinitionShape[] = []
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      if (!fragments.has(definition.name.value)) fragments.set(definition.name.value, shapeOf(definition.selectionSet, definition))
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      operations.push(shapeOf(definition.selectionSet, definition))
    }
  }
  for (const shape of [...operations, ...fragments.values()]) {
    if (shape.values > maxNesting) return [tooDeep(shape.values, maxNesting, 'list and object values')]
  }
  const total = new Map<string, number>()
  for (const name of fragments.keys()) {
    const result = fragmentNesting(name, fragments, total, maxNesting)
    if (result instanceof GraphQLError) return [result]
  }
  for (const shape of operations) {
    let deepest = shape.local
    for (const spread of shape.spreads) deepest = Math.max(deepest, spread.at + (total.get(spread.name) ?? 0))
    if (deepest > maxNesting) return [tooDeep(deepest, maxNesting, 'selections (counting fragment spreads)')]
  }
  return []
}

/** Measures one definition with an explicit stack: its own nesting, its spreads, its values. */
function shapeOf(root: SelectionSetNode, definition: OperationDefinitionNode | FragmentDefinitionNode): DefinitionShape {
  let local = 0
  let values = valueNestingOf(definition)
  const spreads: Spread[] = []
  const pending: { set: SelectionSetNode; depth: number }[] = [{ set: root, depth: 1 }]
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { set, depth } = item
    if (depth > local) local = depth
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        spreads.push({ name: selection.name.value, at: depth })
        values = Math.max(values, valueNestingOf(selection))
        continue
      }
      values = Math.max(values, valueNestingOf(selection))
      if (selection.selectionSet !== undefined) pending.push({ set: selection.selectionSet, depth: depth + 1 })
    }
  }
  return { local, spreads, values }
}

/**
 * Deepest nesting of `name` with its spreads followed: a depth-first walk
 * over the fragment graph with an explicit stack, each fragment measured once.
 */
function fragmentNesting(
  name: string,
  fragments: ReadonlyMap<string, DefinitionShape>,
  total: Map<string, number>,
  maxNesting: number,
): GraphQLError | null {
  if (total.has(name)) return null
  const onPath = new Set<string>([name])
  const stack: { name: string; next: number; deepest: number }[] = [{ name, next: 0, deepest: fragments.get(name)?.local ?? 0 }]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as (typeof stack)[number]
    const shape = fragments.get(frame.name)
    const spread = shape?.spreads[frame.next]
    if (spread === undefined) {
      stack.pop()
      onPath.delete(frame.name)
      total.set(frame.name, frame.deepest)
      const parent = stack[stack.length - 1]
      if (parent !== undefined) {
        const via = fragments.get(parent.name)?.spreads[parent.next]
        parent.deepest = Math.max(parent.deepest, (via?.at ?? 0) + frame.deepest)
        parent.next += 1
      }
      if (frame.deepest > maxNesting) return tooDeep(frame.deepest, maxNesting, 'selections (counting fragment spreads)')
      continue
    }
    if (onPath.has(spread.name)) {
      const cycle = [...stack.slice(stack.findIndex((entry) => entry.name === spread.name)).map((entry) => entry.name), spread.name]
      return new GraphQLError(`Fragment "${spread.name}" spreads itself (${cycle.join(' → ')}).`, {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      })
    }
    const known = total.get(spread.name)
    if (known !== undefined || !fragments.has(spread.name)) {
      // Measured already, or unknown (validation reports unknown fragments).
      frame.deepest = Math.max(frame.deepest, spread.at + (known ?? 0))
      frame.next += 1
      continue
    }
    onPath.add(spread.name)
    stack.push({ name: spread.name, next: 0, deepest: fragments.get(spread.name)?.local ?? 0 })
  }
  return null
}

/** Deepest list/object nesting among the arguments, directives and variable defaults right on `node`. */
function valueNestingOf(node: SelectionNode | OperationDefinitionNode | FragmentDefinitionNode): number {
  let deepest = 0
  const roots: ValueNode[] = []
  if (node.kind === Kind.FIELD) for (const argument of node.arguments ?? []) roots.push(argument.value)
  for (const directive of node.directives ?? []) for (const argument of directive.arguments ?? []) roots.push(argument.value)
  if (node.kind === Kind.OPERATION_DEFINITION) {
    for (const variable of node.variableDefinitions ?? []) if (variable.defaultValue !== undefined) roots.push(variable.defaultValue)
  }
  const pending: { value: ValueNode; depth: number }[] = roots.map((value) => ({ value, depth: 1 }))
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, depth } = item
    if (depth > deepest) deepest = depth
    if (value.kind === Kind.LIST) for (const element of value.values) pending.push({ value: element, depth: depth + 1 })
    else if (value.kind === Kind.OBJECT) for (const field of value.fields) pending.push({ value: field.value, depth: depth + 1 })
  }
  return deepest
}

const OPENING: ReadonlySet<string> = new Set([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L])
const CLOSING: ReadonlySet<string> = new Set([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R])

/**
 * Null when `query` nests its braces, brackets and parentheses at most
 * `maxNesting` deep (and has at most `maxTokens` tokens, when given), else the
 * error to answer with. graphql-js' lexer is iterative and skips strings and
 * comments, so this costs one pass over the text and stops at the first level
 * too deep or token too many; a syntax error is left for the parser to
 * report. Tokens are counted as the parser's `maxTokens` counts them, so the
 * parser's own limit stays a backstop that never fires first.
 */
export function lexicalNesting(query: string, maxNesting: number, maxTokens = Infinity): GraphQLError | null {
  const lexer = new Lexer(new Source(query))
  let depth = 0
  let tokens = 0
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1
      if (tokens > maxTokens) {
        return new GraphQLError(`The document has more than ${maxTokens} tokens; at most ${maxTokens} are accepted.`, {
          extensions: { code: 'TOO_MANY_TOKENS' },
        })
      }
      if (OPENING.has(token.kind)) {
        depth += 1
        if (depth > maxNesting) return tooDeep(depth, maxNesting, 'braces, brackets and parentheses')
      } else if (CLOSING.has(token.kind)) depth -= 1
    }
  } catch {
    return null
  }
  return null
}
