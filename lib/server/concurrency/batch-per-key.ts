/**
 * Wraps `run` so that, per key, requests made while a run is in flight are answered together by
 * the one run that follows it: at most one run per key at a time, and every run starts after each
 * request it answers was made (so a run reads what each of its requesters could have read
 * itself). A request made when nothing is in flight runs at once, alone. For a read whose cost
 * does not grow with the requests it answers: N concurrent requests cost about two runs, not N.
 * A run's failure is each of its requests' failure.
 */
export function batchPerKey<Req, Res>(run: (key: string, requests: Req[]) => Promise<Res>): (key: string, request: Req) => Promise<Res> {
  type Waiting = { request: Req; resolve(res: Res): void; reject(e: unknown): void }
  const queues = new Map<string, { running: boolean; waiting: Waiting[] }>()
  const next = (key: string, q: { running: boolean; waiting: Waiting[] }) => {
    const batch = q.waiting.splice(0)
    if (batch.length === 0) {
      queues.delete(key)
      return
    }
    q.running = true
    let ran: Promise<Res>
    try {
      ran = run(key, batch.map((w) => w.request))
    } catch (e) {
      ran = Promise.reject(e)
    }
    void ran
      .then(
        (res) => batch.forEach((w) => w.resolve(res)),
        (e: unknown) => batch.forEach((w) => w.reject(e)),
      )
      .finally(() => {
        q.running = false
        next(key, q)
      })
  }
  return (key, request) =>
    new Promise<Res>((resolve, reject) => {
      let q = queues.get(key)
      if (!q) queues.set(key, (q = { running: false, waiting: [] }))
      q.waiting.push({ request, resolve, reject })
      if (!q.running) next(key, q)
    })
}
