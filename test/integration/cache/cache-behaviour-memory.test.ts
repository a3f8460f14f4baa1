import { describeCacheBehaviour } from './cache-behaviour.js'

describeCacheBehaviour('memory')
