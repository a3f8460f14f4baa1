import { describeNearCache } from './near-cache.js'

describeNearCache('redis-cluster')
