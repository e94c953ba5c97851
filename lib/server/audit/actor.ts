/** Who or what caused a change, as recorded in the audit trail. */
export type ActorKind = 'USER' | 'API' | 'WORKER' | 'SYSTEM'

export interface ActorRef {
  kind: ActorKind
  /** The user id for USER/API, the worker id for WORKER. */
  id?: string
}
