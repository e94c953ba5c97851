/** A failure talking to an exchange; only retryable ones may be retried. */
export class ExchangeError extends Error {
  constructor(
    message: string,
    public readonly retryable: boolean,
  ) {
    super(message)
    this.name = 'ExchangeError'
  }
}
