'use client'

import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query'
import { useState, useTransition } from 'react'
import { fetchJson } from '@/components/live/fetch-json'
import type { ActionResult } from '@/lib/server/ui/action-result'

/** A view the server rendered, then read again every `refreshMs` (the worker changes it on its own). */
export function usePolledView<T>(queryKey: QueryKey, url: string, initial: T, refreshMs: number) {
  return useQuery({ queryKey, queryFn: () => fetchJson<T>(url), initialData: initial, refetchInterval: refreshMs })
}

/** Why an action was refused: its own error, else its field errors (a panel has no fields to place them at). */
export const refusal = (res: Extract<ActionResult<unknown>, { ok: false }>) => res.formError ?? Object.values(res.fieldErrors).join('; ')

/**
 * The buttons of a polled panel: one action at a time, `busyId` naming the row (or button) it is for.
 * A success shows the view the action returns (or goes to `onOk`); a refusal becomes `error`,
 * prefixed by `failed`. Either way the view is read again after, since the worker may have moved on.
 */
export function usePanelActions(queryKey: QueryKey) {
  const qc = useQueryClient()
  const [pending, startTransition] = useTransition()
  const [busyId, setBusyId] = useState<string>()
  const [error, setError] = useState<string>()

  function act<T>(id: string, action: () => Promise<ActionResult<T>>, failed: string, onOk: (data: T) => void = (data) => qc.setQueryData(queryKey, data)) {
    // Before the transition: updates made inside it show only once the action is done.
    setBusyId(id)
    setError(undefined)
    startTransition(async () => {
      const res = await action()
      if (res.ok) onOk(res.data)
      else setError(`${failed}: ${refusal(res)}`)
      setBusyId(undefined)
      await qc.invalidateQueries({ queryKey })
    })
  }
  return { pending, busyId, error, act }
}
