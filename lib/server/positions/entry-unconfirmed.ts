import { AppError } from '@/lib/server/errors/app-error'

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
    super(known.code, `${known.message} (position ${positionId}, entry ${clientOrderId})`, known.status, undefined, known.retryAfterSeconds)
  }
}
