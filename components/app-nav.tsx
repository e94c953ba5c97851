'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { ApprovalsBadge } from '@/components/approvals/approvals-badge'

const LINKS = [
  { href: '/', label: 'Dashboard' },
  { href: '/traders', label: 'Traders' },
  { href: '/decisions', label: 'Decisions' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/performance', label: 'Performance' },
  { href: '/trades', label: 'Closed trades' },
  { href: '/notifications', label: 'Notifications' },
  { href: '/settings', label: 'Settings' },
] as const

export function AppNav() {
  const pathname = usePathname()
  return (
    <nav aria-label="Main" className="flex min-w-0 items-center gap-1 overflow-x-auto">
      {LINKS.map(({ href, label }) => {
        const active = href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`)
        const link = (
          <Link
            key={href}
            href={href}
            aria-current={active ? 'page' : undefined}
            className={[
              'inline-flex shrink-0 items-center whitespace-nowrap rounded-md px-3 py-1.5 text-sm',
              active ? 'bg-neutral-800 text-white' : 'text-neutral-400 hover:bg-neutral-900 hover:text-neutral-100',
            ].join(' ')}
          >
            {label}
          </Link>
        )
        // The count sits beside its link, so the link's name stays "Approvals" and the count is its own live status.
        return href === '/approvals' ? (
          <span key={href} className="inline-flex shrink-0 items-center">
            {link}
            <ApprovalsBadge />
          </span>
        ) : (
          link
        )
      })}
    </nav>
  )
}
