import { describe, expect, it } from 'vitest'
import { createKeyspace, hashTagOf } from '../../../src/cache/keys.js'

describe('cache keys', () => {
  const keys = createKeyspace({ prefix: 'bff:', version: 3 })

  it('are <prefix>v<version>:<service>:<resource>:<id>', () => {
    expect(keys.entity('catalog', 'product', '42')).toBe('bff:v3:catalog:product:42')
    expect(keys.resourceOf('bff:v3:catalog:product:42')).toBe('catalog:product')
    expect(keys.resourceOf('other:v3:catalog:product:42')).toBeNull()
  })

  it('put the owner of PRIVATE entries in the key, as a cluster hash tag', () => {
    const key = keys.owned('orders', 'user-orders', '7')
    expect(key).toBe('bff:v3:orders:user-orders:{u:7}')
    expect(hashTagOf(key)).toBe('u:7')
    expect(hashTagOf(keys.owned('notifications', 'feed', '7'))).toBe('u:7')
    expect(hashTagOf(keys.entity('catalog', 'product', '7'))).toBeNull()
  })

  it('escape ids so no id can forge another key or choose a hash tag', () => {
    expect(keys.owned('orders', 'user-orders', '7}:x')).toBe('bff:v3:orders:user-orders:{u:7%7D%3Ax}')
    expect(keys.entity('catalog', 'product', '{x}')).toBe('bff:v3:catalog:product:%7Bx%7D')
  })

  it('give leases their own namespace, on the same slot as the entry', () => {
    const lease = keys.lease({ key: keys.owned('orders', 'user-orders', '7'), member: '5:' })
    expect(lease).toBe('bff:v3:lease:orders:user-orders:{u:7}:5%3A')
    expect(hashTagOf(lease)).toBe('u:7')
    expect(keys.resourceOf(lease)).toBeNull()
  })

  it('reject prefixes that would become hash tags', () => {
    expect(() => createKeyspace({ prefix: '{bff}:', version: 1 })).toThrow(/prefix/)
    expect(() => createKeyspace({ prefix: 'bff:', version: 0 })).toThrow(/version/)
  })
})
