import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { createProgress } from '../../src/apply/progress.js';
import { table } from '../../src/report/text/table.js';
import { terminalWidth, wrapCommand, wrapText } from '../../src/report/text/width.js';
import { runCli } from '../support/cli.js';
import { fixtureNames, fixturePath } from '../support/fixtures.js';
import { PLAN_CASES, planFor } from '../support/plan-cases.js';

/** Lines wider than `width` that could have been broken (more than one word). */
const overflowing = (text: string, width: number) => text.split('\n').filter((l) => l.length > width && l.replace(/ \\$/, '').trim().includes(' '));

describe('the width text is laid out for', () => {
  it('is COLUMNS when set, else the terminal width, else 80; never below 40', () => {
    expect(terminalWidth({ isTTY: true, columns: 120 }, { COLUMNS: '100' })).toBe(100);
    expect(terminalWidth({ isTTY: true, columns: 120 }, {})).toBe(120);
    expect(terminalWidth({ isTTY: false, columns: 120 }, {})).toBe(80);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBe(80);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: '10' })).toBe(40);
  });
});

describe('wrapping', () => {
  it('wraps prose with a hanging indent and keeps an over-long word whole', () => {
    expect(wrapText('one two three four five six', 14, '  - ', '    ')).toEqual(['  - one two', '    three four', '    five six']);
    expect(wrapText('see https://istio.io/latest/news/releases/1.24.x/announcing-1.24/upgrade-notes/ now', 30)).toEqual([
      'see',
      'https://istio.io/latest/news/releases/1.24.x/announcing-1.24/upgrade-notes/',
      'now',
    ]);
  });

  it('lays out a long command as pasteable continuation lines, a flag beside its value', () => {
    const argv = ['helm', 'upgrade', 'istio-base', 'istio/base', '-n', 'istio-system', '--version', '1.24.6', '--wait', "'--set=a b'"];
    const lines = wrapCommand(argv, 40, '$ ', undefined, '# optional');
    expect(lines).toEqual(['$ helm upgrade istio-base istio/base \\', '      -n istio-system --version 1.24.6 \\', "      --wait '--set=a b' # optional"]);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
    expect(lines.join('\n').replace(/ \\\n\s+/g, ' ')).toBe(`$ ${argv.join(' ')} # optional`);
  });
});

describe('tables', () => {
  const rows = [
    ['shop', 'istio-injection=enabled', '8', '1.21.6@1-21-6×1, 1.22.8@1-22-8×3, 1.23.6@1-23-6×4'],
    ['billing', 'istio.io/rev=stable', '2', '1.22.8@1-22-8×2'],
  ];
  const headers = ['NAMESPACE', 'LABEL', 'PODS', 'PROXIES'];

  it('keep their natural layout when they fit', () => {
    const t = table(headers, rows, '  ', 200);
    expect(t.split('\n')).toHaveLength(3);
  });

  it('wrap the last column inside the room left, or fold rows into HEADER: value lines', () => {
    const wrapped = table(headers, rows, '  ', 70);
    expect(overflowing(wrapped, 70)).toEqual([]);
    expect(wrapped.split('\n')[1]).toMatch(/^ {2}shop {7}istio-injection=enabled {2}8 {5}1\.21\.6@1-21-6×1,/);
    expect(wrapped.split('\n')[2]).toMatch(/^ {44}1\.22\.8@1-22-8×3,/);
    const folded = table(headers, rows, '  ', 44);
    expect(overflowing(folded, 44)).toEqual([]);
    expect(folded).toContain('  NAMESPACE: shop\n  LABEL:     istio-injection=enabled\n');
  });
});

describe('the built CLI at a fixed width', () => {
  it.each(fixtureNames())('status of %s fits 80 and 60 columns', async (name) => {
    for (const columns of [80, 60]) {
      const r = await runCli(['status', '--snapshot', fixturePath(name)], { COLUMNS: String(columns) });
      expect(r.exitCode).toBe(0);
      expect(overflowing(r.stdout, columns)).toEqual([]);
    }
  });
});

describe('plan text at a fixed width', () => {
  const cases = [
    ['ambient-helm-1.23', '1.24', '--include-cleanup'],
    ['sidecar-revisioned-1.22', '1.24', '--include-cleanup'],
    ['sidecar-stragglers', '1.24', '--include-cleanup'],
    ['istio-csr', '1.24', '--max-minor-jump=1'],
    ['helm-pending-upgrade', '1.24', '--max-minor-jump=2'],
  ];
  it.each(cases)('plan of %s to %s fits 80 and 60 columns, and its commands paste back whole', async (fixture, to, extra) => {
    const args = ['plan', '--snapshot', fixturePath(fixture!), '--to', to!, extra!];
    const plan = JSON.parse((await runCli([...args, '-o', 'json'])).stdout);
    for (const columns of [80, 60]) {
      const r = await runCli(args, { COLUMNS: String(columns) });
      expect(overflowing(r.stdout, columns)).toEqual([]);
      // Joined back at the continuation backslashes, each command is the plan's argv again.
      const joined = r.stdout.replace(/ \\\n\s+/g, ' ');
      for (const st of plan.steps)
        for (const c of st.commands.filter((x: { via: string }) => x.via !== 'kubernetes-api')) expect(joined).toContain(`$ ${c.argv.map((a: string) => (/^[\w@%+=:,./<>-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`);
    }
  });
});

describe('progress on a terminal', () => {
  it('says a rolled-back step was rolled back once', async () => {
    const { plan } = await planFor(PLAN_CASES[0]!);
    // What ora needs of a terminal: a TTY flag, a width, cursor movement and line clearing.
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100, cursorTo: () => true, moveCursor: () => true, clearLine: () => true }) as unknown as NodeJS.WriteStream & PassThrough;
    let out = '';
    stream.on('data', (d: Buffer) => (out += d.toString()));
    for (const interactive of [true, false]) {
      out = '';
      const progress = createProgress({ stream, interactive, chalk: new Chalk({ level: 0 }) });
      const step = plan.steps[3]!;
      progress.stepStarted(step, 3, plan.steps.length, true);
      progress.stepFinished(step, 'rolled-back', 1200, 'rolled back');
      expect(out.match(/rolled.back/g), out).toHaveLength(1);
      progress.stepStarted(step, 3, plan.steps.length, true);
      progress.stepFinished(step, 'rolled-back', 1200, 'nothing to undo');
      expect(out).toContain('nothing to undo');
    }
  });
});
