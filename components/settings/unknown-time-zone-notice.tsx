import Link from 'next/link'

/**
 * Shown where the user's stored time zone is one this server no longer knows (its time-zone data
 * changed in an upgrade): entries, loss breakers and the performance days all count in it, and
 * wait until it is set again.
 */
export function UnknownTimeZoneNotice({ timeZone, linkToSettings }: { timeZone: string; linkToSettings: boolean }) {
  return (
    <div role="alert" className="rounded border border-red-900 bg-red-950/60 px-3 py-2 text-sm text-red-300" data-testid="unknown-time-zone">
      Your time zone “{timeZone}” is not one this server knows (its time-zone data may have changed since you chose it). Until you set it again, new
      entries checked against risk limits are refused, loss breakers cannot be checked and performance cannot be shown.{' '}
      {linkToSettings ? (
        <Link href="/settings" className="underline">
          Set it in Settings, under User-wide risk.
        </Link>
      ) : (
        'Set it below.'
      )}
    </div>
  )
}
