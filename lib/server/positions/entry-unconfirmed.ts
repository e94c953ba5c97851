import { AppError } from '@/lib/server/errors/app-error'

const entryMessage = (known: AppError, positionId: string, clientOrderId: string) => `${known.message} (position ${positionId}, entry ${clientOrderId})`

/**
 * The entry order went out and the exchange did not confirm it (502): the position exists and its
 * entry is being looked up by client order id, so it may still fill. Whoever asked for the entry
 * (a decision, an approval) records it as sent, linked to the position, never as refused.
 */
export class EntryUnconfirmed extends AppError {
  constructor(
    known: AppError,
    readonly positionId: string,
    readonly clientOrderId: string,
  ) {
    super(known.code, entryMessage(known, positionId, clientOrderId), known.status, undefined, known.retryAfterSeconds)
  }
}

/** An exchange's answer to an entry already saved, with its position and client order id in the message. */
export function entryExchangeError(known: AppError, positionId: string, clientOrderId: string): AppError {
  if (known.code === 'EXCHANGE_UNCERTAIN') return new EntryUnconfirmed(known, positionId, clientOrderId)
  return new AppError(known.code, entryMessage(known, positionId, clientOrderId), known.status, undefined, known.retryAfterSeconds)
}
