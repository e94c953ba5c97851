import type { InputHTMLAttributes } from 'react'

type FormFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'name'> & {
  name: string
  label: string
  error?: string
  hint?: string
}

/** A labelled input with its error shown right below it (announced and linked via aria). */
export function FormField({ name, label, error, hint, className, ...input }: FormFieldProps) {
  const id = `field-${name}`
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ')
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-neutral-300">
        {label}
      </label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        className={[
          'block w-full rounded-md border bg-neutral-900 px-3 py-2 text-sm text-neutral-100 placeholder-neutral-500',
          'focus:outline-none focus:ring-2 focus:ring-emerald-500/60',
          error ? 'border-red-500' : 'border-neutral-700',
          className ?? '',
        ].join(' ')}
        {...input}
      />
      {hint && !error ? (
        <p id={`${id}-hint`} className="text-xs text-neutral-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-xs text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  )
}
