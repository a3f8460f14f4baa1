/**
 * The label value of a client-chosen operation name. Names come from clients,
 * so each new one would be a new time series: the first `max` distinct names
 * keep their own, every later one shares `other`, and a name too long to be
 * a real one never takes a place.
 */
export interface OperationNames {
  label(name: string | null | undefined): string
  readonly size: number
}

const MAX_NAME_LENGTH = 100

export function createOperationNames(max: number): OperationNames {
  if (!Number.isInteger(max) || max < 0) throw new TypeError(`createOperationNames: max must be an integer >= 0, got ${String(max)}`)
  const admitted = new Set<string>()
  return {
    label(name) {
      if (name === null || name === undefined || name === '') return 'anonymous'
      if (admitted.has(name)) return name
      if (admitted.size >= max || name.length > MAX_NAME_LENGTH) return 'other'
      admitted.add(name)
      return name
    },
    get size() {
      return admitted.size
    },
  }
}
