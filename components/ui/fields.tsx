import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react'
import { controlClassName } from '@/lib/ui/control-class'

// Full width unless the caller's className sets a width (controlClassName).
const control =
  'block rounded border bg-neutral-950 px-2 py-1.5 text-sm text-neutral-100 placeholder-neutral-600 focus:outline-none focus:ring-2 focus:ring-emerald-500/50 disabled:opacity-60'

function FieldShell({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-neutral-400">
        {label}
      </label>
      {children}
      <FieldNote id={id} error={error} hint={hint} />
    </div>
  )
}

/** The id a control's aria-describedby points at: its error, else its hint. */
export function noteId(id: string, error?: string, hint?: ReactNode): string | undefined {
  return error ? `${id}-error` : hint ? `${id}-hint` : undefined
}

/** A field's error (or, without one, its hint) below the control. */
export function FieldNote({ id, error, hint }: { id: string; error?: string; hint?: ReactNode }) {
  if (error) {
    return (
      <p id={`${id}-error`} className="text-xs text-red-400">
        {error}
      </p>
    )
  }
  return hint ? (
    <p id={`${id}-hint`} className="text-xs text-neutral-500">
      {hint}
    </p>
  ) : null
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & { id: string; label: string; error?: string; hint?: ReactNode }

/** A labelled text input with its error right below, linked through aria-describedby. */
export function TextField({ id, label, error, hint, className, ...input }: TextFieldProps) {
  return (
    <FieldShell id={id} label={label} error={error} hint={hint}>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={noteId(id, error, hint)}
        className={controlClassName(`${control} ${error ? 'border-red-500' : 'border-neutral-700'}`, className)}
        {...input}
      />
    </FieldShell>
  )
}

/** A decimal input: text, so the exact digits typed reach the server (no float round-trip). */
export function DecimalField({ className, ...props }: TextFieldProps) {
  return <TextField inputMode="decimal" autoComplete="off" spellCheck={false} {...props} className={`font-mono ${className ?? ''}`} />
}

type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
  id: string
  label: string
  error?: string
  hint?: ReactNode
  options: { value: string; label: string }[]
}

export function SelectField({ id, label, error, hint, options, className, ...select }: SelectFieldProps) {
  return (
    <FieldShell id={id} label={label} error={error} hint={hint}>
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={noteId(id, error, hint)}
        className={controlClassName(`${control} ${error ? 'border-red-500' : 'border-neutral-700'}`, className)}
        {...select}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  )
}

/** The general error of a form (shown above its submit button). */
export function FormError({ messages }: { messages: (string | undefined)[] }) {
  const list = messages.filter((m): m is string => Boolean(m))
  if (list.length === 0) return null
  return (
    <div role="alert" className="rounded border border-red-900 bg-red-950/60 px-3 py-2 text-sm text-red-300">
      {list.map((m, i) => (
        <p key={i}>{m}</p>
      ))}
    </div>
  )
}

/** Keeps its accessible name while pending (tests and screen readers find it by name). */
export function SubmitButton({ children, pending, tone = 'primary', type = 'submit', ...rest }: { children: ReactNode; pending?: boolean; tone?: 'primary' | 'danger' | 'secondary' } & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'>) {
  const tones = {
    primary: 'bg-emerald-600 text-white hover:bg-emerald-500',
    danger: 'bg-red-700 text-white hover:bg-red-600',
    secondary: 'border border-neutral-700 bg-neutral-900 text-neutral-200 hover:border-neutral-500',
  }
  return (
    <button
      {...rest}
      type={type}
      disabled={pending || rest.disabled}
      aria-busy={pending || undefined}
      className={`rounded px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60 ${tones[tone]} ${rest.className ?? ''}`}
    >
      {children}
      {pending ? <span aria-hidden="true"> …</span> : null}
    </button>
  )
}
