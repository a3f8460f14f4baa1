/** Attribute values a span or span event carries. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>

/**
 * One span of ours, over whichever tracer is configured. Layers below the
 * transport receive the span they work under (no async context needed: the
 * span rides in the call context), and start children from it.
 */
export interface TraceSpan {
  readonly traceId: string
  readonly spanId: string
  /** The W3C `traceparent` header naming this span as the parent. */
  readonly traceparent: string
  /** A child client span (a downstream attempt) or internal one. */
  child(name: string, kind: 'client' | 'internal', attributes?: undefined | SpanAttributes): TraceSpan
  setAttributes(attributes: SpanAttributes): void
  addEvent(name: string, attributes?: undefined | SpanAttributes): void
  updateName(name: string): void
  /** Ends the span; with `error`, its status is ERROR with that description (a code, never a message with data). */
  end(error?: undefined | string): void
}
