import { describe, expect, it } from 'vitest'
import { DEFAULT_SERVICE_PORTS, SERVICE_NAMES as BFF_SERVICES } from '../../../src/config/services.js'
import { DEFAULT_PORTS, SERVICE_NAMES as MOCK_SERVICES } from '../../../mocks/services/service-names.js'

describe('the mocks play the services the BFF calls', () => {
  it('by the same names, on the ports the BFF calls by default', () => {
    expect([...MOCK_SERVICES]).toEqual([...BFF_SERVICES])
    expect(DEFAULT_PORTS).toEqual(DEFAULT_SERVICE_PORTS)
  })
})
