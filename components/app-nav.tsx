'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { useEffect, useState } from 'react'
import { ApprovalsBadge } from '@/components/approvals/approvals-badge'

const LINKS = [
  { href: '/', label: 'Dashboard' },
  { href: '/traders', label: 'Traders' },
  { href: '/decisions', label: 'Decisions' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/performance', label: 'Performance' },
  { href: '/trades', label: 'Closed trades' },
  { href: '/notifications', label: 'Notifications' },
  { href: '/logs', label: 'Logs' },
  { href: '/settings', label: 'Settings' },
] as const

const NAV_ID = 'main-nav'

/**
 * The main navigation: a row of links from `xl` (1,280 px), where all of them fit; below it the same
 * list (one copy in the DOM, so the live approvals count is not announced twice) drops down under
 * a Menu button. At 1,024 px the row ran past the header and hid Notifications, Logs and Settings.
 */
export function AppNav() {
  const pathname = usePathname()
  const [open, setOpen] = useState(false)
  // A navigation closes the menu (links also close it on click, for a click on the current page).
  const [shownFor, setShownFor] = useState(pathname)
  if (shownFor !== pathname) {
    setShownFor(pathname)
    setOpen(false)
  }
  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false)
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [open])

  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={NAV_ID}
        onClick={() => setOpen((o) => !o)}
        className="order-last inline-flex shrink-0 items-center gap-1.5 rounded-md border border-neutral-700 px-2.5 py-1 text-sm text-neutral-200 hover:border-neutral-500 xl:hidden"
      >
        <svg aria-hidden="true" viewBox="0 0 16 16" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.5">
          {open ? <path d="M4 4l8 8M12 4l-8 8" /> : <path d="M2 4h12M2 8h12M2 12h12" />}
        </svg>
        Menu
      </button>
      <nav
        id={NAV_ID}
        aria-label="Main"
        className={[
          open ? 'flex' : 'hidden',
          'absolute inset-x-0 top-full flex-col gap-1 border-b border-neutral-800 bg-neutral-950 p-2 shadow-lg',
          'xl:static xl:flex xl:min-w-0 xl:flex-row xl:items-center xl:overflow-x-auto xl:border-0 xl:bg-transparent xl:p-0 xl:shadow-none',
        ].join(' ')}
      >
        {LINKS.map(({ href, label }) => {
          const active = href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`)
          const link = (
            <Link
              key={href}
              href={href}
              onClick={() => setOpen(false)}
              aria-current={active ? 'page' : undefined}
              className={[
                'inline-flex shrink-0 items-center whitespace-nowrap rounded-md px-3 py-2 text-sm xl:py-1.5',
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
    </>
  )
}
