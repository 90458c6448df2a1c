import { dump } from 'js-yaml';

// The one serialiser of every document (inventory, plan, change ticket, apply and rollback results, history,
// version): -o json and -o yaml print the same model the text and Markdown reporters read.

export function toJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function toYaml(doc: unknown): string {
  return dump(doc, { noRefs: true, lineWidth: 120, sortKeys: false });
}

/** A machine-readable document in the format -o asked for (json or yaml). */
export function renderDocument(doc: unknown, format: string): string {
  return format === 'yaml' ? toYaml(doc) : toJson(doc);
}

/** json/yaml of the document itself, else the document's reporter for the format (its text one by default). */
export function renderAs(doc: unknown, format: string, reporters: { text: () => string } & Record<string, () => string>): string {
  if (format === 'json' || format === 'yaml') return renderDocument(doc, format);
  return (reporters[format] ?? reporters.text)();
}
