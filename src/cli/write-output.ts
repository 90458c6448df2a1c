import { dump } from 'js-yaml';

export function toJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function toYaml(doc: unknown): string {
  return dump(doc, { noRefs: true, lineWidth: 120, sortKeys: false });
}

/** Writes and waits for the pipe to drain, so large documents are not cut off by process.exit. */
export async function writeStdout(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}
