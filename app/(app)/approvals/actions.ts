'use server'

import { db } from '@/lib/db/client'
import { approveApproval, rejectApproval } from '@/lib/server/approvals/decide-approval'
import { getPageUser } from '@/lib/server/auth/current-user'
import { knownError } from '@/lib/server/errors/known-error'
import { checkedId } from '@/lib/server/validation/id-field'

/**
 * What an approval action returns. `message` is the service's whole explanation (for a request
 * that is now invalid: the current price and every reason), shown next to the item; `fieldErrors`
 * place edit errors on their inputs.
 */
export type DecideResult =
  | { ok: true; status: 'APPROVED' | 'REJECTED'; summary?: string }
  | { ok: false; status: number; code: string; message: string; fieldErrors: Record<string, string> }

async function decide(where: string, fn: (userId: string) => Promise<DecideResult>): Promise<DecideResult> {
  const user = await getPageUser()
  if (!user) return { ok: false, status: 401, code: 'UNAUTHENTICATED', message: 'Your session has ended. Sign in again.', fieldErrors: {} }
  try {
    return await fn(user.id)
  } catch (caught) {
    // A busy database or an exchange's answer is a clear message too, not "something went wrong".
    const err = knownError(caught)
    if (err) {
      const fieldErrors: Record<string, string> = {}
      for (const f of err.fieldErrors ?? []) fieldErrors[f.field] ??= f.message
      return { ok: false, status: err.status, code: err.code, message: err.message, fieldErrors }
    }
    console.error(`[ui] ${where} failed:`, caught)
    return { ok: false, status: 500, code: 'INTERNAL', message: 'Something went wrong on the server. Check the server log.', fieldErrors: {} }
  }
}

/** Approves as proposed, or with edits ({ qty?, stopLoss?, takeProfits?, note? }). */
export async function approveApprovalAction(approvalId: string, input: unknown): Promise<DecideResult> {
  return decide('approve', async (userId) => {
    const r = await approveApproval({ db: db(), userId, approvalId: checkedId(approvalId, 'approval'), input })
    return { ok: true, status: 'APPROVED', summary: r.summary }
  })
}

export async function rejectApprovalAction(approvalId: string, input: unknown): Promise<DecideResult> {
  return decide('reject', async (userId) => {
    await rejectApproval({ db: db(), userId, approvalId: checkedId(approvalId, 'approval'), input })
    return { ok: true, status: 'REJECTED' }
  })
}
