import type { AccountMode } from '@/lib/generated/prisma/enums'

const TONES: Record<AccountMode, string> = {
  PAPER: 'border-neutral-600 bg-neutral-800 text-neutral-300',
  TESTNET: 'border-amber-700 bg-amber-950 text-amber-300',
  LIVE: 'border-red-700 bg-red-950 text-red-300',
}

const TITLES: Record<AccountMode, string> = {
  PAPER: 'Paper: simulated money',
  TESTNET: 'Testnet: the exchange’s test environment, no real money',
  LIVE: 'Live: real money on the exchange',
}

/** What an account risks, everywhere a trader, position or account is shown: PAPER grey, TESTNET amber, LIVE red. */
export function ModeBadge({ mode }: { mode: AccountMode }) {
  return (
    <span
      title={TITLES[mode]}
      data-mode={mode}
      className={`inline-flex items-center rounded border px-1.5 py-px font-mono text-[10px] font-semibold uppercase leading-4 tracking-wide ${TONES[mode]}`}
    >
      {mode}
    </span>
  )
}
