'use client'

import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import type { ActionResult } from '@/lib/server/ui/action-result'

export interface ActionFormOptions {
  /** Re-render the page's server components after a success (forms whose data the page renders). */
  refreshPage?: boolean
}

export interface SubmitHandlers<T> {
  /** After a success (errors already cleared): resets inputs, invalidates queries; returns the "done" message, if any. */
  onSuccess?: (data: T) => string | void
  /** Maps the server's field paths onto the form's (take-profit rows, say); identity without it. */
  mapFieldErrors?: (fieldErrors: Record<string, string>) => Record<string, string>
}

/**
 * The state every form around a server action keeps: the pending transition, the errors placed at
 * their fields, the form's own error and the "done" message. `submit` runs the action in a
 * transition, clearing the last "done" first; a success clears the errors, runs `onSuccess` and
 * shows its message (and refreshes the page when asked); a failure shows the errors and keeps
 * what was typed. `reject` refuses before anything is sent (a check the browser can make).
 */
export function useActionForm(opts: ActionFormOptions = {}) {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function submit<T>(action: () => Promise<ActionResult<T>>, handlers: SubmitHandlers<T> = {}) {
    setDone(undefined)
    startTransition(async () => {
      const res = await action()
      if (!res.ok) {
        setFieldErrors(handlers.mapFieldErrors ? handlers.mapFieldErrors(res.fieldErrors) : res.fieldErrors)
        setFormError(res.formError)
        return
      }
      setFieldErrors({})
      setFormError(undefined)
      const message = handlers.onSuccess?.(res.data)
      if (message) setDone(message)
      if (opts.refreshPage) router.refresh()
    })
  }

  function reject(errors: { fieldErrors?: Record<string, string>; formError?: string }) {
    setDone(undefined)
    setFieldErrors(errors.fieldErrors ?? {})
    setFormError(errors.formError)
  }

  return {
    pending,
    fieldErrors,
    formError,
    /** The form's error, else (for forms that place no field) the first field error. */
    firstError: formError ?? Object.values(fieldErrors)[0],
    done,
    submit,
    reject,
  }
}
