'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useState, useTransition, type ReactNode } from 'react'
import { queryKeys } from '@/components/live/use-live-events'
import { DecimalField, FieldNote, FormError, noteId, SelectField, SubmitButton, TextField } from '@/components/ui/fields'
import type { ActionResult } from '@/lib/server/ui/action-result'
import { unplacedErrors } from '@/lib/ui/take-profit-rows'

/**
 * One field of a settings form, addressed by its dotted path in the service's input
 * (`ai.model`, `risk.maxDrawdownPct`, `autoTrade`): the same path the service names in a
 * field error, so every error lands next to its field.
 */
export interface SettingSpec {
  path: string
  label: string
  kind: 'decimal' | 'int' | 'text' | 'password' | 'bool' | 'select' | 'multi'
  /** Blank turns it off (limits, management rules, budgets). */
  offable?: boolean
  hint?: string
  placeholder?: string
  options?: readonly { value: string; label: string }[]
}

type Tree = Record<string, unknown>

export function valueAt(tree: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Tree)[k] : undefined), tree)
}

const shown = (v: unknown) => (v === null || v === undefined ? '' : String(v))

function defaultHint(spec: SettingSpec, def: unknown): string | undefined {
  if (spec.kind === 'bool' || spec.kind === 'password' || spec.kind === 'select' || spec.kind === 'multi') return spec.hint
  const parts = [spec.hint]
  if (spec.offable) parts.push(`Blank = off. Default: ${shown(def) || 'off'}.`)
  else if (def !== undefined && def !== null) parts.push(`Default: ${shown(def)}.`)
  return parts.filter(Boolean).join(' ') || undefined
}

const fieldId = (prefix: string, path: string) => `${prefix}-${path.replace(/\./g, '-')}`

/** A labelled checkbox with its hint or error below. */
export function CheckboxField({ id, name, label, defaultChecked, error, hint }: { id: string; name: string; label: string; defaultChecked?: boolean; error?: string; hint?: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="flex items-center gap-2 text-sm text-neutral-200">
        <input id={id} name={name} type="checkbox" defaultChecked={defaultChecked} aria-invalid={error ? true : undefined} aria-describedby={noteId(id, error, hint)} className="accent-emerald-500" />
        {label}
      </label>
      <FieldNote id={id} error={error} hint={hint} />
    </div>
  )
}

/**
 * The one renderer for every settings field: decimals, integers, off-able values (blank = off,
 * the default shown below), text, secrets, checkboxes, selects and checkbox groups.
 */
export function SettingField({ spec, value, def, error, idPrefix, onChange }: { spec: SettingSpec; value: unknown; def?: unknown; error?: string; idPrefix: string; onChange?: (v: string) => void }) {
  const id = fieldId(idPrefix, spec.path)
  const hint = defaultHint(spec, def)
  switch (spec.kind) {
    case 'bool':
      return <CheckboxField id={id} name={spec.path} label={spec.label} defaultChecked={value === true} error={error} hint={hint} />
    case 'select':
      return <SelectField id={id} name={spec.path} label={spec.label} defaultValue={shown(value)} options={[...(spec.options ?? [])]} error={error} hint={hint} onChange={(e) => onChange?.(e.target.value)} />
    case 'multi': {
      const chosen = Array.isArray(value) ? value.map(String) : []
      return (
        <fieldset className="space-y-1" aria-describedby={noteId(id, error, hint)}>
          <legend className="text-xs font-medium text-neutral-400">{spec.label}</legend>
          <div className="flex flex-wrap gap-3">
            {spec.options?.map((o) => (
              <label key={o.value} htmlFor={`${id}-${o.value}`} className="flex items-center gap-1 text-sm text-neutral-200">
                <input id={`${id}-${o.value}`} type="checkbox" name={spec.path} value={o.value} defaultChecked={chosen.includes(o.value)} className="accent-emerald-500" />
                {o.label}
              </label>
            ))}
          </div>
          <FieldNote id={id} error={error} hint={hint} />
        </fieldset>
      )
    }
    case 'decimal':
      return <DecimalField id={id} name={spec.path} label={spec.label} defaultValue={shown(value)} placeholder={spec.placeholder ?? (spec.offable ? 'off' : undefined)} error={error} hint={hint} />
    case 'int':
      return <TextField id={id} name={spec.path} label={spec.label} inputMode="numeric" autoComplete="off" className="font-mono" defaultValue={shown(value)} placeholder={spec.placeholder ?? (spec.offable ? 'off' : undefined)} error={error} hint={hint} />
    case 'password':
      // Never pre-filled: the stored secret is not sent to the browser.
      return <TextField id={id} name={spec.path} label={spec.label} type="password" autoComplete="off" spellCheck={false} defaultValue="" placeholder={spec.placeholder} error={error} hint={hint} />
    default:
      return <TextField id={id} name={spec.path} label={spec.label} autoComplete="off" spellCheck={false} defaultValue={shown(value)} placeholder={spec.placeholder} error={error} hint={hint} />
  }
}

/** The service input for these fields as the form holds them now (nested by path). */
export function readSettings(form: HTMLFormElement, specs: readonly SettingSpec[]): Tree {
  const data = new FormData(form)
  const out: Tree = {}
  for (const spec of specs) {
    const el = form.elements.namedItem(spec.path)
    if (!el) continue // not shown (e.g. the LLM fields while the built-in rules are chosen)
    let v: unknown
    if (spec.kind === 'bool') v = (el as HTMLInputElement).checked
    else if (spec.kind === 'multi') v = data.getAll(spec.path).map(String)
    else v = String(data.get(spec.path) ?? '').trim()
    const keys = spec.path.split('.')
    let node = out
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Tree
    node[keys[keys.length - 1]!] = v
  }
  return out
}

/** The first error at or below a field's path (`ai.timeframes.0` belongs to `ai.timeframes`). */
export function errorFor(errors: Readonly<Record<string, string>>, path: string): string | undefined {
  return errors[path] ?? Object.entries(errors).find(([f]) => f.startsWith(`${path}.`))?.[1]
}

/** Runs a server action for a form: pending state, field errors, a success line, then a refresh. */
export function useSettingsAction() {
  const router = useRouter()
  const qc = useQueryClient()
  const [pending, startTransition] = useTransition()
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function run<T>(action: () => Promise<ActionResult<T>>, onOk: (data: T) => string) {
    setDone(undefined)
    startTransition(async () => {
      const res = await action()
      if (res.ok) {
        setErrors({})
        setFormError(undefined)
        setDone(onOk(res.data))
        void qc.invalidateQueries({ queryKey: queryKeys.traders })
        router.refresh()
        return
      }
      setErrors(res.fieldErrors)
      setFormError(res.formError)
    })
  }
  return { pending, errors, formError, done, run }
}

/** The general error box, the success line and the submit button of a settings form. */
export function FormFooter({ specs, errors, formError, done, pending, submitLabel, children }: { specs: readonly SettingSpec[]; errors: Record<string, string>; formError?: string; done?: string; pending: boolean; submitLabel: string; children?: ReactNode }) {
  const placed = (f: string) => specs.some((s) => f === s.path || f.startsWith(`${s.path}.`))
  return (
    <>
      <FormError messages={[formError, ...unplacedErrors(errors, placed)]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        <SubmitButton pending={pending}>{submitLabel}</SubmitButton>
        {children}
      </div>
    </>
  )
}

/** How the fields are laid out, by columns (3: the wide user-level forms of the Signals page). */
const GRIDS = { 1: 'space-y-3', 2: 'grid gap-3 sm:grid-cols-2', 3: 'grid gap-3 sm:grid-cols-2 lg:grid-cols-3' }

/** A form of fixed fields whose values go to one server action; `saved` says what a success means (and may show its data elsewhere). */
export function SettingsForm<T>({
  label,
  submitLabel,
  specs,
  values,
  defaults,
  idPrefix,
  save,
  saved = () => 'Saved.',
  columns = 2,
}: {
  label: string
  submitLabel: string
  specs: readonly SettingSpec[]
  values: unknown
  defaults?: unknown
  idPrefix: string
  save: (input: Tree) => Promise<ActionResult<T>>
  saved?: (data: T) => string
  columns?: 1 | 2 | 3
}) {
  const { pending, errors, formError, done, run } = useSettingsAction()
  return (
    <form
      aria-label={label}
      noValidate
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault()
        const input = readSettings(e.currentTarget, specs)
        run(() => save(input), saved)
      }}
    >
      <div className={GRIDS[columns]}>
        {specs.map((s) => (
          <SettingField key={s.path} spec={s} value={valueAt(values, s.path)} def={valueAt(defaults, s.path)} error={errorFor(errors, s.path)} idPrefix={idPrefix} />
        ))}
      </div>
      <FormFooter specs={specs} errors={errors} formError={formError} done={done} pending={pending} submitLabel={submitLabel} />
    </form>
  )
}
