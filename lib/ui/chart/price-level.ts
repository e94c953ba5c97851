/** A horizontal line at a price: where the position entered, its stop, a target, a resting limit. */
export interface PriceLevel {
  kind: 'entry' | 'limit' | 'stop' | 'target'
  price: string
  title: string
}
