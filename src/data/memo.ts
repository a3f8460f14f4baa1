/**
 * Per-request memo for calls that are not batchable (pages, feeds): the same
 * call asked twice in one GraphQL request is made once.
 */
export function createRequestMemo(): <T>(key: string, load: () => Promise<T>) => Promise<T> {
  const entries = new Map<string, Promise<unknown>>()
  return <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let entry = entries.get(key) as Promise<T> | undefined
    if (entry === undefined) {
      entry = load()
      entries.set(key, entry)
    }
    return entry
  }
}
