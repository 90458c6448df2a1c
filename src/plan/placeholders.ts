/**
 * Plans hold references, never values: `--values <values-of:ns/release>` is filled at apply time
 * with a private file of `helm get values`, so no Helm values (secrets) are ever written into a plan.
 */
export function valuesPlaceholder(namespace: string, release: string): string {
  return `<values-of:${namespace}/${release}>`;
}

/** Stands for the Helm revision the run recorded just before the step changed the release; apply fills it in. */
export function revisionBeforePlaceholder(namespace: string, release: string): string {
  return `<revision-before:${namespace}/${release}>`;
}
