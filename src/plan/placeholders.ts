/**
 * Plans hold references, never values: `--values <values-of:ns/release>` is filled at apply time
 * with a private file of `helm get values`, so no Helm values (secrets) are ever written into a plan.
 */
export function valuesPlaceholder(namespace: string, release: string): string {
  return `<values-of:${namespace}/${release}>`;
}
