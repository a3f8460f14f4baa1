/**
 * The state of a circuit breaker, spelled the same for every breaker the BFF
 * reports (downstream services and the cache store, in /health/ready):
 * closed lets calls through, open refuses them, half-open lets probes through.
 */
export type BreakerState = 'closed' | 'open' | 'half-open'
