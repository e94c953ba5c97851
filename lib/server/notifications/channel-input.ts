import { z } from 'zod'
import { parseWebhookUrl, WEBHOOK_FORMATS } from './webhook-url'
import { textField } from '@/lib/server/validation/text-field'

export const CHANNEL_FORMATS = ['auto', ...WEBHOOK_FORMATS] as const
export type ChannelFormatInput = (typeof CHANNEL_FORMATS)[number]

const ZChannelName = textField({ max: 60 }).min(1, 'is required')

// Messages never echo the value: the URL is a secret.
const ZWebhookUrl = textField({ max: 2048 })
  .min(1, 'is required')
  .refine((v) => parseWebhookUrl(v) !== null, 'must be an http:// or https:// URL')

const ZChannelFormat = z.enum(CHANNEL_FORMATS, { error: 'must be auto, generic, telegram or discord' })
const ZEnabled = z.boolean({ error: 'must be true or false' })

export const ZCreateNotificationChannelRequest = z.strictObject({
  name: ZChannelName,
  url: ZWebhookUrl,
  format: ZChannelFormat.default('auto'),
  enabled: ZEnabled.default(true),
})

export const ZUpdateNotificationChannelRequest = z.strictObject({
  name: ZChannelName.optional(),
  url: ZWebhookUrl.optional(),
  format: ZChannelFormat.optional(),
  enabled: ZEnabled.optional(),
})
