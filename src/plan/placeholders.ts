/**
 * Plans hold references, never values: `--values <values-of:ns/release>` is filled at apply time
 * with a private file of `helm get values`, so no Helm values (secrets) are ever written into a plan.
 */
export function valuesPlaceholder(namespace: string, release: string): string {
  return `<values-of:${namespace}/${release}>`;
}

/** The release a `<values-of:ns/release>` argument stands for; undefined for any other argument. */
export function valuesPlaceholderRelease(arg: string): { namespace: string; release: string } | undefined {
  const m = /^<values-of:([^/<>]+)\/([^<>]+)>$/.exec(arg);
  return m ? { namespace: m[1]!, release: m[2]! } : undefined;
}

/** Stands for the Helm revision the run recorded just before the step changed the release; apply fills it in. */
export function revisionBeforePlaceholder(namespace: string, release: string): string {
  return `<revision-before:${namespace}/${release}>`;
}

/**
 * Stands for the operator's value overrides of a component (`--set`/`--values` given to plan and again to apply):
 * apply fills it with a private file of the merged overrides, after the release's own values so they win.
 */
export function overridesPlaceholder(component: string): string {
  return `<overrides-of:${component}>`;
}

/** The component an `<overrides-of:COMPONENT>` argument stands for; undefined for any other argument. */
export function overridesPlaceholderComponent(arg: string): string | undefined {
  return /^<overrides-of:([^<>]+)>$/.exec(arg)?.[1];
}
