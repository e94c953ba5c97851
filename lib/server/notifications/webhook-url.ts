/**
 * What may be said about a webhook URL. The whole URL is a secret: a Telegram bot token sits in
 * its path, a Discord webhook token too, and a generic endpoint may carry a key anywhere.
 */
export const WEBHOOK_FORMATS = ['generic', 'telegram', 'discord'] as const
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number]

/** The URL if it parses as http(s), else null. */
export function parseWebhookUrl(raw: string): URL | null {
  try {
    const url = new URL(raw.trim())
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null
  } catch {
    return null
  }
}

const DISCORD_HOSTS = /^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/

/** Telegram's sendMessage and Discord's webhook URLs are recognised; anything else gets the generic JSON. */
export function detectWebhookFormat(url: URL): WebhookFormat {
  if (url.hostname === 'api.telegram.org' && /^\/bot[^/]+\/sendMessage\/?$/.test(url.pathname)) return 'telegram'
  if (DISCORD_HOSTS.test(url.hostname) && url.pathname.startsWith('/api/webhooks/')) return 'discord'
  return 'generic'
}

/** The Telegram chat a sendMessage URL names in its query string (`?chat_id=…`). */
export function telegramChatId(url: URL): string | null {
  const id = url.searchParams.get('chat_id')?.trim()
  return id ? id : null
}

/**
 * What the UI shows to tell channels apart: scheme, host and the non-secret shape of the path,
 * e.g. `https://api.telegram.org/…/sendMessage` or `https://discord.com/api/webhooks/…`.
 */
export function webhookUrlHint(url: URL, format: WebhookFormat): string {
  const origin = `${url.protocol}//${url.host}` // host, never userinfo
  const path = url.pathname.replace(/\/+$/, '')
  if (format === 'telegram' && path.endsWith('/sendMessage')) return `${origin}/…/sendMessage`
  if (format === 'discord' && path.startsWith('/api/webhooks/')) return `${origin}/api/webhooks/…`
  return path === '' && !url.search ? `${origin}/` : `${origin}/…`
}

// Path segments of the known formats that say nothing secret.
const PUBLIC_SEGMENTS = new Set(['api', 'webhooks', 'sendMessage'])
// A Telegram bot token (digits:secret) and anything that looks like a URL.
const BOT_TOKEN = /\b\d{5,}:[A-Za-z0-9_-]{20,}\b/g
const ANY_URL = /\bhttps?:\/\/[^\s"'<>]+/gi

/**
 * Removes a webhook URL and its secret parts (path segments, query values, userinfo) from a
 * text such as an error message or a receiver's response, so it can be stored and shown.
 */
export function redactWebhookSecrets(text: string, url?: URL | null): string {
  let out = text
  if (url) {
    const secrets = new Set<string>()
    for (const s of url.pathname.split('/')) if (s.length >= 6 && !PUBLIC_SEGMENTS.has(s)) secrets.add(s)
    for (const v of url.searchParams.values()) if (v.length >= 4) secrets.add(v)
    if (url.username) secrets.add(url.username)
    if (url.password) secrets.add(url.password)
    for (const variant of [...secrets].flatMap((s) => [s, encodeURIComponent(s)])) {
      if (variant) out = out.split(variant).join('…')
    }
  }
  return out.replace(ANY_URL, (m) => {
    const u = parseWebhookUrl(m)
    return u ? webhookUrlHint(u, 'generic') : '…'
  }).replace(BOT_TOKEN, '…')
}
