import { z } from 'zod'
import { ZCreateInviteRequest } from '@/lib/server/invites/create-invite'
import { ZCreateUserRequest } from '@/lib/server/users/create-user'
import { doc } from './response-schemas'

/**
 * Users and invites (admin only): response shapes in the shared response registry, the request
 * bodies, and the paths of the OpenAPI document.
 */
const timestamp = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })
const role = () => doc(z.enum(['ADMIN', 'MEMBER']), { description: 'ADMIN manages users and global settings; MEMBER sees only their own traders.' })

export const ZUser = doc(
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: role(),
    createdAt: timestamp(),
    traderCount: z.number().int(),
  }),
  { id: 'User' },
)
export const ZUserList = doc(z.object({ users: z.array(ZUser) }), { id: 'UserList' })

export const ZInvite = doc(
  z.object({
    id: z.string(),
    email: z.string(),
    role: role(),
    createdAt: timestamp(),
    expiresAt: timestamp(),
    createdBy: doc(z.string(), { description: 'Email of the admin who created it.' }),
  }),
  { id: 'Invite' },
)
export const ZInviteList = doc(z.object({ invites: z.array(ZInvite) }), { id: 'InviteList' })
export const ZCreatedInvite = doc(
  z.object({
    invite: ZInvite,
    url: doc(z.string(), { description: 'The one-time sign-up path `/invite/<token>` (prefix it with this site\'s address). Shown only in this answer: only a SHA-256 of the token is stored.' }),
  }),
  { id: 'CreatedInvite' },
)

type Json = Record<string, unknown>
type Registry = { add(schema: z.ZodType, meta: { id: string; description?: string }): unknown }

export function registerUserRequests(reg: Registry) {
  reg.add(ZCreateUserRequest, { id: 'CreateUserRequest', description: 'role defaults to MEMBER. The password (at least 10 characters) is the initial one; tell the person to change it.' })
  reg.add(ZCreateInviteRequest, { id: 'CreateInviteRequest', description: 'role defaults to MEMBER; the link expires after expiresInHours (default 72, at most 720).' })
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const json = (schema: Json) => ({ 'application/json': { schema } })
const ok = (description: string, id: string) => ({ description, content: json(ref(id)) })
const err = (description: string) => ({ description, content: json(ref('Error')) })
const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, description: `The ${what} id.`, schema: { type: 'string' } })

const E401 = err('Missing, invalid or revoked credentials.')
const E403 = err('Only an admin can do this.')
const E404 = err('No such resource.')
const E400 = err('Invalid input or malformed JSON; `error.fields` names each invalid field.')

export function userPaths(): Record<string, Json> {
  return {
    '/api/v1/users': {
      get: {
        tags: ['users'],
        'x-admin-only': true,
        operationId: 'listUsers',
        summary: 'Every account (admin only)',
        responses: { 200: ok('Users, oldest first', 'UserList'), 401: E401, 403: E403 },
      },
      post: {
        tags: ['users'],
        'x-admin-only': true,
        operationId: 'createUser',
        summary: 'Add an account with an initial password (admin only)',
        requestBody: { required: true, content: json(ref('CreateUserRequest')) },
        responses: { 201: ok('The new user', 'User'), 400: E400, 401: E401, 403: E403, 409: err('An account with this email exists.') },
      },
    },
    '/api/v1/users/{id}': {
      parameters: [idParam('user')],
      delete: {
        tags: ['users'],
        'x-admin-only': true,
        operationId: 'deleteUser',
        summary: 'Remove an account and everything it owns (admin only)',
        description:
          'Deletes the user\'s traders, paper accounts, closed positions, decisions, approvals, tokens and channels. Refused with 409 while the user has an open position or a resting order ' +
          '(flatten them first), and for the last admin; an admin cannot remove themself (403).',
        responses: { 204: { description: 'Removed' }, 401: E401, 403: err('Not an admin, or removing yourself.'), 404: E404, 409: err('Open positions or resting orders, or the last admin.') },
      },
    },
    '/api/v1/invites': {
      get: {
        tags: ['users'],
        'x-admin-only': true,
        operationId: 'listInvites',
        summary: 'Pending invites: not used, not expired (admin only)',
        responses: { 200: ok('Invites, soonest-expiring first', 'InviteList'), 401: E401, 403: E403 },
      },
      post: {
        tags: ['users'],
        'x-admin-only': true,
        operationId: 'createInvite',
        summary: 'Create a one-time sign-up link that expires (admin only)',
        requestBody: { required: true, content: json(ref('CreateInviteRequest')) },
        responses: { 201: ok('The invite and its link, shown only this once', 'CreatedInvite'), 400: E400, 401: E401, 403: E403, 409: err('An account with this email exists.') },
      },
    },
    '/api/v1/invites/{id}': {
      parameters: [idParam('invite')],
      delete: {
        tags: ['users'],
        'x-admin-only': true,
        operationId: 'revokeInvite',
        summary: 'Revoke a pending invite; its link stops working (admin only)',
        responses: { 204: { description: 'Revoked' }, 401: E401, 403: E403, 404: err('No such pending invite.') },
      },
    },
  }
}
