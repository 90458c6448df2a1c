import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askOrInterrupted, PromptInterrupted, terminalConfirmer } from '../../src/apply/terminal.js';
import { UserError } from '../../src/errors.js';

/** A pair of streams that look like a terminal to readline (raw mode switches are accepted and ignored). */
function fakeTerminal(): { stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream; output: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin, isRaw: false }) as unknown as NodeJS.ReadStream;
  let text = '';
  const out = new PassThrough();
  out.on('data', (d: Buffer) => (text += d.toString()));
  const stderr = Object.assign(out, { isTTY: true, columns: 80, rows: 24 }) as unknown as NodeJS.WriteStream;
  return { stdin, stderr, output: () => text };
}

describe('terminal prompts', () => {
  it('the exact word confirms; anything else does not', async () => {
    const t = fakeTerminal();
    const c = terminalConfirmer(t.stdin, t.stderr);
    expect(c.interactive).toBe(true);
    const yes = c.confirm('Type "1-23-6" to run it', '1-23-6');
    (t.stdin as unknown as PassThrough).write('1-23-6\r');
    await expect(yes).resolves.toBe(true);
    const no = c.confirm('Type "1-23-6" to run it', '1-23-6');
    (t.stdin as unknown as PassThrough).write('yes\r');
    await expect(no).resolves.toBe(false);
    expect(t.output()).toContain('Type "1-23-6" to run it: ');
  });

  it('Ctrl-C at the prompt is an interruption, not an internal error: exit 130, nothing changed', async () => {
    const t = fakeTerminal();
    const c = terminalConfirmer(t.stdin, t.stderr);
    const asked = c.confirm('Apply? Type yes', 'yes');
    (t.stdin as unknown as PassThrough).write('\x03');
    await expect(asked).rejects.toBeInstanceOf(PromptInterrupted);

    const again = askOrInterrupted(terminalConfirmer(t.stdin, t.stderr), 'Apply? Type yes', 'yes');
    (t.stdin as unknown as PassThrough).write('\x03');
    const e = await again.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e).toMatchObject({ exitCode: 130, message: 'interrupted at the prompt; nothing was changed' });
  });

  it('without a terminal nothing is asked and nothing is confirmed', async () => {
    const c = terminalConfirmer(new PassThrough() as unknown as NodeJS.ReadStream, new PassThrough() as unknown as NodeJS.WriteStream);
    expect(c.interactive).toBe(false);
    await expect(c.confirm('Apply?', 'yes')).resolves.toBe(false);
  });
});
