import type { z } from 'zod';

/** `items[3].metadata.name: expected string` — the first problem, by path, in one line. */
export function formatZodIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid document';
  const path = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${path || '(document)'}: ${issue.message}${more}`;
}
