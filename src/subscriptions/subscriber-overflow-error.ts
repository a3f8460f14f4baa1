import { BffError } from '../errors.js'

/** A subscriber whose queue of undelivered events went over the cap of its buffer policy. */
export class SubscriberOverflowError extends BffError {
  /** Events that were waiting for the subscriber when it was cut off. */
  readonly queued: number
  readonly capacity: number

  constructor(capacity: number, queued: number) {
    super('BFF_ERR_SUBSCRIBER_OVERFLOW', `more than ${capacity} events queued for a subscriber that is not reading`)
    this.name = 'SubscriberOverflowError'
    this.capacity = capacity
    this.queued = queued
  }
}
