import { spawn } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { EXIT_WITH_PARENT } from '@/scripts/start/supervisor'
import { processAlive as alive } from '../../support/process-alive'
import { waitFor } from '../../support/wait-for'

describe('a supervised child stops when its supervisor dies without stopping it', () => {
  test('the supervisor is killed with -9: its detached child (own process group, as npm start runs them) exits within seconds', async () => {
    // A stand-in supervisor: starts a long-running child the way the real one does, prints its pid.
    const supervisorCode = `
      const { spawn } = require('node:child_process')
      const c = spawn(process.execPath, ['--require', ${JSON.stringify(EXIT_WITH_PARENT)}, '-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' })
      console.log(c.pid)
      setInterval(() => {}, 1000)
    `
    const supervisor = spawn(process.execPath, ['-e', supervisorCode], { stdio: ['ignore', 'pipe', 'inherit'] })
    const childPid = await new Promise<number>((resolve) => supervisor.stdout!.once('data', (d) => resolve(Number(String(d).trim()))))
    try {
      expect(childPid).toBeGreaterThan(0)
      await new Promise((r) => setTimeout(r, 1500))
      expect(alive(childPid)).toBe(true) // it does not exit while its supervisor lives

      supervisor.kill('SIGKILL')
      await waitFor(async () => !alive(childPid) || null, 'child exited after its supervisor died', 10_000)
    } finally {
      if (alive(childPid)) process.kill(childPid, 'SIGKILL')
      supervisor.kill('SIGKILL')
    }
  })
})
