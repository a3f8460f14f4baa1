/** Documents an attacker sends, built to a size. */

/** Each fragment spreads the next one twice: following every spread takes 2^n steps. */
export function doublingFragments(n: number): string {
  let doc = '{ product(id: "1") { ...F0 } }'
  for (let i = 0; i < n; i++) doc += ` fragment F${i} on Product { ...F${i + 1} ...F${i + 1} name }`
  return `${doc} fragment F${n} on Product { name }`
}

export function fragmentChain(n: number): string {
  let doc = '{ product(id: "1") { ...C0 } }'
  for (let i = 0; i < n; i++) doc += ` fragment C${i} on Product { ...C${i + 1} }`
  return `${doc} fragment C${n} on Product { name }`
}

export const nestedFields = (n: number): string => `{ ${'a { '.repeat(n)}b${' }'.repeat(n)} }`
