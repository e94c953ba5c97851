/**
 * A delivery's life: PENDING → SENDING (claimed by one worker) → DELIVERED, or RETRYING (after a
 * 429/5xx/network failure, with backoff) → … → FAILED once attempts run out or the receiver
 * refuses for good (other 4xx). SKIPPED: the channel was disabled, nothing was sent.
 */
export const DELIVERY_STATUSES = ['PENDING', 'SENDING', 'RETRYING', 'DELIVERED', 'FAILED', 'SKIPPED'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/** Waiting to be sent; a SENDING row is also due again once its claim has lapsed (its worker died). */
export const DUE_STATUSES: DeliveryStatus[] = ['PENDING', 'RETRYING', 'SENDING']
/** Not sent yet, nobody working on it: what disabling a channel turns to SKIPPED. */
export const OUTSTANDING_STATUSES: DeliveryStatus[] = ['PENDING', 'RETRYING']
