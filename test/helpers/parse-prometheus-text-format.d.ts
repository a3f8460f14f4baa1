declare module 'parse-prometheus-text-format' {
  interface PrometheusSample {
    readonly labels?: Record<string, string>
    readonly value?: string
    /** Histograms only. */
    readonly buckets?: Record<string, string>
    readonly count?: string
    readonly sum?: string
  }
  interface PrometheusFamily {
    readonly name: string
    readonly help: string
    readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    readonly metrics: readonly PrometheusSample[]
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[]
}
