import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
} from 'graphql'
import type { Choices } from './choices.js'

/**
 * Values for GraphQL input types, valid and not: what a client may put in an
 * argument literal or a variable. The first option of every list is a valid,
 * ordinary value, so a spent choice stream yields plain input.
 */

/** An input value before it is written as a GraphQL literal or as JSON. */
export type InputValue =
  | null
  | boolean
  | number
  | string
  | { readonly enumValue: string }
  | readonly InputValue[]
  | { readonly fields: Readonly<Record<string, InputValue>> }

/** Longest generated string (the probe's 20,000-character id). */
export const HUGE_TEXT_LENGTH = 20_000
/** Longest generated list (far past every `ids`/`first` limit). */
export const HUGE_LIST_LENGTH = 1_000

const HUGE_ID = '9'.repeat(HUGE_TEXT_LENGTH)

/** Values of one scalar type: `valid` ones pass validation and reach execution (edge cases included), `invalid` ones do not. */
interface ValueTable {
  readonly valid: readonly [InputValue, ...InputValue[]]
  readonly invalid: readonly InputValue[]
}

/** Ids a client could send: real ones first, then the ones that test the edge (paths, encodings, length). */
const IDS: ValueTable = {
  valid: [
    '1', '2', '17', '1999', '4999', '0', '-1', '', 'abc', '1e3', ' 1', '１', '1/../2', '../__admin/stats', '1?x=y', '1#x',
    '%2e%2e%2f', '1%00', '\u0000', '\ud800', '😀'.repeat(40), HUGE_ID, 1, 2_147_483_648,
  ],
  invalid: [1.5, true],
}
const STRINGS: ValueTable = {
  valid: ['shoe', 'lamp', 'a b', '', ' ', 'x'.repeat(201), 'ü'.repeat(200), '\u202e\u0000\n', '"\\', '😀', 'x'.repeat(HUGE_TEXT_LENGTH)],
  invalid: [3, false],
}
const INTS: ValueTable = {
  valid: [1, 2, 5, 10, 0, -1, 50, 100, 101, 1_000, 2_147_483_647, -2_147_483_648],
  invalid: [2_147_483_648, -2_147_483_649, 1.5, '3', true],
}
const FLOATS: ValueTable = { valid: [1.5, 0, -2, 1e308], invalid: ['NaN', true] }
const BOOLEANS: ValueTable = { valid: [true, false], invalid: ['true', 1] }
/** Event ids for `after` are `<ms>-<seq>`. */
const EVENT_IDS: ValueTable = { valid: ['0-0', '1-0', '99999999999999-0', 'garbage', '-1-1', '1-', '0-99999999999999999999'], invalid: [] }

function fromTable(table: ValueTable, choices: Choices, valid: boolean): InputValue {
  return valid ? choices.oneOf(table.valid) : choices.oneOf([...table.valid, ...table.invalid] as [InputValue, ...InputValue[]])
}

function scalarValue(name: string, choices: Choices, argumentName: string, valid: boolean): InputValue {
  switch (name) {
    case 'ID':
      return fromTable(IDS, choices, valid)
    case 'String':
      return fromTable(argumentName === 'after' && choices.chance(50) ? EVENT_IDS : STRINGS, choices, valid)
    case 'Int':
      return fromTable(INTS, choices, valid)
    case 'Float':
      return fromTable(FLOATS, choices, valid)
    case 'Boolean':
      return fromTable(BOOLEANS, choices, valid)
    default:
      return fromTable(STRINGS, choices, valid)
  }
}

/**
 * A value for `type`. `valid` values pass validation (and reach execution,
 * where edge cases such as a 20,000-character id or `first: 0` are the
 * resolvers' to refuse); the others may also be null where null is not
 * allowed, of the wrong type, or objects missing a required field or with an
 * unknown one.
 */
export function inputValue(type: GraphQLInputType, choices: Choices, valid: boolean, argumentName = '', depth = 0): InputValue {
  if (isNonNullType(type)) return !valid && choices.chance(5) ? null : nonNullValue(type.ofType, choices, valid, argumentName, depth)
  return choices.chance(3) ? null : nonNullValue(type, choices, valid, argumentName, depth)
}

function nonNullValue(type: GraphQLInputType, choices: Choices, valid: boolean, argumentName: string, depth: number): InputValue {
  if (isListType(type)) {
    const shape = choices.pick(10)
    // A single value where a list is expected is valid GraphQL (input coercion wraps it).
    if (shape === 8) return inputValue(type.ofType, choices, valid, argumentName, depth + 1)
    if (shape === 9) return Array.from({ length: choices.oneOf([101, HUGE_LIST_LENGTH]) }, (_, index) => String(index + 1))
    const length = 1 + choices.pick(3) - (shape === 7 ? 1 : 0)
    return Array.from({ length }, () => inputValue(type.ofType, choices, valid, argumentName, depth + 1))
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((value) => ({ enumValue: value.name }))
    const wrong: InputValue[] = valid ? [] : [{ enumValue: 'NOPE' }, values[0]?.enumValue ?? 'X', 1]
    return choices.oneOf([...values, ...wrong] as [InputValue, ...InputValue[]])
  }
  if (isInputObjectType(type)) {
    if (depth > 4) return null
    const fields: Record<string, InputValue> = {}
    for (const field of Object.values(type.getFields())) {
      const required = isNonNullType(field.type) && field.defaultValue === undefined
      if ((!required || !valid) && choices.chance(5)) continue
      fields[field.name] = inputValue(field.type, choices, valid, field.name, depth + 1)
    }
    if (!valid && choices.chance(5)) fields['unknownField'] = 1
    return { fields }
  }
  if (isScalarType(type)) return scalarValue(type.name, choices, argumentName, valid)
  return null
}

function isEnumValue(value: InputValue): value is { readonly enumValue: string } {
  return typeof value === 'object' && value !== null && 'enumValue' in value
}

function isFields(value: InputValue): value is { readonly fields: Readonly<Record<string, InputValue>> } {
  return typeof value === 'object' && value !== null && 'fields' in value
}

/** The value as a GraphQL literal (argument or default value). */
export function toLiteral(value: InputValue): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `[${value.map(toLiteral).join(', ')}]`
  if (isEnumValue(value)) return value.enumValue
  if (isFields(value)) return `{ ${Object.entries(value.fields).map(([name, inner]) => `${name}: ${toLiteral(inner)}`).join(', ')} }`
  if (typeof value === 'string') return JSON.stringify(value)
  return String(value)
}

/** The value as JSON for the `variables` map. */
export function toJson(value: InputValue): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(toJson)
  if (isEnumValue(value)) return value.enumValue
  if (isFields(value)) return Object.fromEntries(Object.entries(value.fields).map(([name, inner]) => [name, toJson(inner)]))
  return null
}
