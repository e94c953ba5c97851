'use server'

import { db } from '@/lib/db/client'
import { cancelEntry } from '@/lib/server/positions/cancel-entry'
import { closePosition } from '@/lib/server/positions/close-position'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { openPosition } from '@/lib/server/positions/open-position'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'
import { checkedId } from '@/lib/server/validation/id-field'

// Thin transport: each action is the signed-in user calling one service function.

export async function openPositionAction(input: unknown): Promise<ActionResult<{ positionId: string }>> {
  return runAction('open position', (user) => openPosition({ db: db(), userId: user.id, actor: { kind: 'USER', id: user.id }, input }))
}

export async function closePositionAction(positionId: string, input: unknown): Promise<ActionResult<{ orderId: string } | { dust: string } | null>> {
  return runAction('close position', (user) => closePosition({ db: db(), userId: user.id, actor: { kind: 'USER', id: user.id }, positionId: checkedId(positionId, 'position'), input }))
}

export async function modifyProtectionAction(positionId: string, input: unknown): Promise<ActionResult> {
  return runAction('modify protection', async (user) => {
    await modifyProtection({ db: db(), userId: user.id, actor: { kind: 'USER', id: user.id }, positionId: checkedId(positionId, 'position'), input })
    return null
  })
}

export async function cancelEntryAction(positionId: string): Promise<ActionResult> {
  return runAction('cancel entry', async (user) => {
    await cancelEntry({ db: db(), userId: user.id, actor: { kind: 'USER', id: user.id }, positionId: checkedId(positionId, 'position') })
    return null
  })
}
