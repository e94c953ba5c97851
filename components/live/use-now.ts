'use client'

import { useEffect, useState } from 'react'

/** The local clock, every `tickMs` (ages, time left). Null until mounted, so the server render matches. */
export function useNow(tickMs: number): number | null {
  const [now, setNow] = useState<number | null>(null)
  useEffect(() => {
    setNow(Date.now())
    const t = setInterval(() => setNow(Date.now()), tickMs)
    return () => clearInterval(t)
  }, [tickMs])
  return now
}
