import { CANNOT_TRADE } from './venue-terms'
import type { KeyCheck } from './check-venue-keys'

/** The columns a key test writes. */
export interface VerificationState {
  verifiedAt: Date | null
  verifyError: string | null
  canTrade: boolean | null
  canWithdraw: boolean | null
}

/**
 * Verified means the keys work and may trade. A key that works but cannot trade is not verified
 * (with the reason); a test that got no answer leaves the permissions unknown.
 */
export function verificationFrom(result: KeyCheck, now: Date): VerificationState {
  if (!result.ok) return { verifiedAt: null, verifyError: result.error, canTrade: null, canWithdraw: null }
  const { canTrade, canWithdraw } = result.check
  return canTrade ? { verifiedAt: now, verifyError: null, canTrade, canWithdraw } : { verifiedAt: null, verifyError: CANNOT_TRADE, canTrade, canWithdraw }
}
