// Writes the JSON Schemas of the documents the CLI prints, from the zod models that validate them.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { inventorySchema } from '../src/k8s/inventory.js';
import { planSchema } from '../src/steps/registry.js';

export function schemaDocuments(): Record<string, string> {
  const doc = (title: string, schema: z.ZodType) =>
    `${JSON.stringify({ $id: `istio-upgrade/v1/${title}.schema.json`, title, ...z.toJSONSchema(schema) }, null, 2)}\n`;
  return {
    'docs/schemas/inventory.schema.json': doc('inventory', inventorySchema),
    'docs/schemas/plan.schema.json': doc('plan', planSchema),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  for (const [path, text] of Object.entries(schemaDocuments())) writeFileSync(path, text);
}
