/** The closing lines a person reads after apply or rollback: what happened and, when it did not end well, what to run next. */
export function renderApplyResultText(result: { runId: string; status: string; exitCode: number; error?: string; nextCommands: string[] }, logPath: string): string {
  const lines = [`run ${result.runId}: ${result.status}${result.error ? ` — ${result.error}` : ''}`];
  if (result.exitCode !== 0) lines.push(`log: ${logPath}`);
  if (result.nextCommands.length) lines.push('next:', ...result.nextCommands.map((c) => `  ${c}`));
  return `${lines.join('\n')}\n`;
}
