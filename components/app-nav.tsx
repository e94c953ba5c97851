'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'

const LINKS = [
  { href: '/', label: 'Dashboard' },
  { href: '/traders', label: 'Traders' },
  { href: '/trades', label: 'Closed trades' },
  { href: '/settings', label: 'Settings' },
] as const

export function AppNav() {
  const pathname = usePathname()
  return (
    <nav aria-label="Main" className="flex items-center gap-1">
      {LINKS.map(({ href, label }) => {
        const active = href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`)
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? 'page' : undefined}
            className={[
              'rounded-md px-3 py-1.5 text-sm',
              active ? 'bg-neutral-800 text-white' : 'text-neutral-400 hover:bg-neutral-900 hover:text-neutral-100',
            ].join(' ')}
          >
            {label}
          </Link>
        )
      })}
    </nav>
  )
}
