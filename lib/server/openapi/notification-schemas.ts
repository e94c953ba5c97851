import { z } from 'zod'
import { NOTIFICATION_KINDS } from '@/lib/server/notifications/notifiable-events'
import { DELIVERY_STATUSES } from '@/lib/server/notifications/delivery-status'
import { WEBHOOK_FORMATS } from '@/lib/server/notifications/webhook-url'
import { doc } from './response-schemas'

/**
 * Response shapes of the notification endpoints, in the same registry as the other responses
 * (so the OpenAPI document lists them). None of them has a field that could hold a webhook URL.
 */
const timestamp = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })

export const ZNotificationChannel = doc(
  z.object({
    id: z.string(),
    name: z.string(),
    format: doc(z.enum(WEBHOOK_FORMATS), { description: 'The body sent: generic JSON, Telegram sendMessage or Discord webhook.' }),
    urlHint: doc(z.string(), { description: 'The URL with its secret parts masked, e.g. https://api.telegram.org/…/sendMessage. The URL itself is never returned.' }),
    enabled: z.boolean(),
    createdAt: timestamp(),
  }),
  { id: 'NotificationChannel' },
)

export const ZNotificationChannelList = doc(z.object({ channels: z.array(ZNotificationChannel) }), { id: 'NotificationChannelList' })

export const ZTestNotificationResult = doc(
  z.object({
    delivered: z.boolean(),
    httpStatus: doc(z.number().int().nullable(), { description: 'The receiver\'s status; null when it could not be reached or timed out.' }),
    error: doc(z.string().nullable(), { description: 'Why it was not delivered, with the URL and tokens removed.' }),
  }),
  { id: 'TestNotificationResult' },
)

export const ZNotificationDelivery = doc(
  z.object({
    id: z.string(),
    channelId: z.string(),
    channelName: z.string(),
    eventId: doc(z.string(), { description: 'The activity event sent (a decimal id).' }),
    eventType: z.string().nullable(),
    severity: z.string().nullable(),
    message: z.string().nullable(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    lastError: doc(z.string().nullable(), { description: 'The last failure (HTTP status and the start of the answer, or a network error), with the URL and tokens removed.' }),
    nextAttemptAt: doc(timestamp().nullable(), { description: 'When it is tried next, while PENDING or RETRYING.' }),
    deliveredAt: timestamp().nullable(),
    createdAt: timestamp(),
  }),
  { id: 'NotificationDelivery' },
)

export const ZNotificationDeliveryList = doc(z.object({ deliveries: z.array(ZNotificationDelivery) }), { id: 'NotificationDeliveryList' })

export const ZNotification = doc(
  z.object({
    id: doc(z.string(), { description: 'Increasing event id (a decimal string); use as `before` to page.' }),
    type: doc(z.string(), { description: `The activity type: position events (CREATED, STATUS_CHANGED, FILL, ORDER_STATUS, SL_CHANGED, TP_CHANGED) and others such as APPROVAL_NEEDED. Webhooks send these as: ${NOTIFICATION_KINDS.join(', ')}.` }),
    severity: doc(z.string(), { description: 'info, warning or error.' }),
    message: z.string(),
    positionId: z.string().nullable(),
    traderId: z.string().nullable(),
    at: timestamp(),
  }),
  { id: 'Notification' },
)

export const ZNotificationList = doc(
  z.object({
    notifications: z.array(ZNotification),
    nextCursor: doc(z.string().nullable(), { description: 'Pass as `before` for the next (older) page; null on the last page.' }),
  }),
  { id: 'NotificationList' },
)

export const ZNotificationSettings = doc(
  z.object({
    dailySummaryAt: doc(z.string().nullable(), { description: 'Local time HH:MM (in timeZone) the daily summary (PnL, trades, open risk) goes out at; null = none.' }),
    timeZone: doc(z.string(), { description: 'Your IANA time zone; changed with PATCH /api/v1/risk-settings.' }),
    dailySummarySentOn: doc(z.string().nullable(), { description: 'The local day (YYYY-MM-DD) the last summary was sent for.' }),
  }),
  { id: 'NotificationSettings' },
)
