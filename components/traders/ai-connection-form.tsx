'use client'

import { useRef, useState, useTransition } from 'react'
import { testTraderConnectionAction, updateTraderSettingsAction } from '@/app/(app)/traders/actions'
import { SubmitButton } from '@/components/ui/fields'
import type { TraderSettingsView } from '@/lib/server/traders/trader-settings-view'
import { errorFor, FormFooter, readSettings, SettingField, useSettingsAction, valueAt, type SettingSpec } from './settings-form'

const PROVIDERS = [
  { value: 'RULES', label: 'Built-in rules (no LLM)' },
  { value: 'OPENAI_COMPATIBLE', label: 'OpenAI-compatible (OpenAI, Ollama, vLLM, OpenRouter…)' },
  { value: 'ANTHROPIC', label: 'Anthropic' },
] as const

const DEFAULT_BASE_URL: Record<string, string> = { OPENAI_COMPATIBLE: 'https://api.openai.com/v1', ANTHROPIC: 'https://api.anthropic.com/v1' }

const PROVIDER: SettingSpec = { path: 'provider', label: 'Provider', kind: 'select', options: PROVIDERS }

function llmSpecs(provider: string, apiKey: TraderSettingsView['apiKey']): SettingSpec[] {
  return [
    { path: 'ai.model', label: 'Model', kind: 'text', placeholder: provider === 'ANTHROPIC' ? 'claude-…' : 'gpt-4o-mini, llama3.1:8b, …' },
    { path: 'ai.baseUrl', label: 'Base URL', kind: 'text', placeholder: DEFAULT_BASE_URL[provider], hint: 'The API root, usually ending in /v1. Blank: the provider’s public endpoint.' },
    {
      path: 'apiKey',
      label: 'API key',
      kind: 'password',
      placeholder: apiKey.set ? `${apiKey.masked} (stored)` : 'none stored',
      hint: apiKey.set
        ? `Stored encrypted: ${apiKey.masked}. Leave blank to keep it. It is only sent to the host it was saved for: after changing the base URL's host or the provider, enter it again.`
        : 'Stored encrypted; never shown again. Local servers (Ollama) need none.',
    },
    ...(apiKey.set ? [{ path: 'clearApiKey', label: 'Forget the stored key', kind: 'bool' } as const] : []),
    { path: 'ai.timeoutMs', label: 'Timeout (ms)', kind: 'int' },
    { path: 'ai.maxRetries', label: 'Retries', kind: 'int' },
    { path: 'ai.inputCostPerMTok', label: 'Input cost (USD per 1M tokens)', kind: 'decimal' },
    { path: 'ai.outputCostPerMTok', label: 'Output cost (USD per 1M tokens)', kind: 'decimal' },
    { path: 'ai.dailyTokenBudget', label: 'Daily token budget', kind: 'int', offable: true },
    { path: 'ai.dailyCostBudgetUsd', label: 'Daily cost budget (USD)', kind: 'decimal', offable: true },
  ]
}

/** Provider, model, endpoint, key, limits of the LLM calls, and a real connection test. */
export function AiConnectionForm({ settings, defaults }: { settings: TraderSettingsView; defaults: unknown }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [provider, setProvider] = useState<string>(settings.provider)
  const { pending, errors, formError, done, run } = useSettingsAction()
  const [testing, startTest] = useTransition()
  const [test, setTest] = useState<{ ok: boolean; message: string }>()
  const specs = [PROVIDER, ...(provider === 'RULES' ? [] : llmSpecs(provider, settings.apiKey))]

  function testConnection() {
    const form = formRef.current
    if (!form) return
    const { provider: p, apiKey, ai } = readSettings(form, specs) as { provider: string; apiKey?: string; ai?: Record<string, unknown> }
    setTest(undefined)
    startTest(async () => {
      const res = await testTraderConnectionAction(settings.traderId, { provider: p, apiKey, ai })
      if (res.ok) setTest({ ok: res.data.ok, message: res.data.message })
      else setTest({ ok: false, message: res.formError ?? Object.entries(res.fieldErrors).map(([f, m]) => `${f}: ${m}`).join('; ') })
    })
  }

  return (
    <form
      ref={formRef}
      aria-label="AI connection settings"
      noValidate
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault()
        const form = e.currentTarget
        const input = readSettings(form, specs)
        run(
          () => updateTraderSettingsAction(settings.traderId, input),
          (v) => {
            // The key went to the server; do not keep it in the page.
            const key = form.elements.namedItem('apiKey') as HTMLInputElement | null
            if (key) key.value = ''
            return v.apiKey.set ? `Saved. API key ${v.apiKey.masked}.` : 'Saved.'
          },
        )
      }}
    >
      <SettingField spec={PROVIDER} value={provider} error={errorFor(errors, 'provider')} idPrefix="trader" onChange={setProvider} />
      {provider === 'RULES' ? (
        <p className="text-xs text-neutral-500">The built-in rules decide without any LLM: no model, endpoint or key needed.</p>
      ) : (
        <div className="grid gap-3 sm:grid-cols-2">
          {specs.slice(1).map((s) => (
            <SettingField key={s.path} spec={s} value={valueAt(settings, s.path)} def={valueAt(defaults, s.path)} error={errorFor(errors, s.path)} idPrefix="trader" />
          ))}
        </div>
      )}
      <FormFooter specs={specs} errors={errors} formError={formError} done={done} pending={pending} submitLabel="Save AI connection">
        {provider === 'RULES' ? null : (
          <SubmitButton type="button" tone="secondary" pending={testing} onClick={testConnection}>
            Test connection
          </SubmitButton>
        )}
      </FormFooter>
      {test ? (
        <p role="status" data-testid="connection-test-result" className={`text-xs ${test.ok ? 'text-emerald-400' : 'text-red-400'}`}>
          {test.ok ? 'Connection OK: ' : 'Connection failed: '}
          {test.message}
        </p>
      ) : null}
    </form>
  )
}
