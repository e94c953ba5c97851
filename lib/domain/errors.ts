/**
 * An expected business-rule failure (illegal transition, overfill, ...). `code` is stable and
 * machine-readable; `message` is a sentence for a person; `details` carries the values involved.
 */
export class DomainError extends Error {
  constructor(
    public code: string,
    message: string,
    public details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'DomainError'
  }
}
