import { factMatcher } from '../plan/facts.js';
import { planSchemaFor, type PlanStep } from '../plan/schema.js';
import { backup } from './backup.js';
import { baseChartUpgrade } from './base-chart-upgrade.js';
import { cniUpgrade } from './cni-upgrade.js';
import { crdMigrationLabels } from './crd-migration-labels.js';
import { defaultRevisionMove } from './default-revision-move.js';
import type { StepDescriptor } from './descriptor.js';
import { gatewayApiCrdsUpgrade } from './gateway-api-crds-upgrade.js';
import { gatewayUpgrade } from './gateway-upgrade.js';
import { istiodInstall } from './istiod-install.js';
import { istiodUpgrade } from './istiod-upgrade.js';
import { namespaceRelabel } from './namespace-relabel.js';
import { oldRevisionRemoval } from './old-revision-removal.js';
import { preflight } from './preflight.js';
import { tagMove } from './tag-move.js';
import { workloadRestart } from './workload-restart.js';
import { ztunnelUpgrade } from './ztunnel-upgrade.js';
import { exposeIstiodRevision } from './expose-istiod-revision.js';
import { remoteInjectorInstall } from './remote-injector-install.js';
import { remoteInjectorRemoval } from './remote-injector-removal.js';

/**
 * Every step kind, once. The plan schema's kind enum, the catalog's step vocabulary, the facts a
 * step changes and the planner's order all come from here: adding a kind is a new file under
 * src/steps/ and one line below (plus, when a release triggers it, a catalog note).
 */
const DESCRIPTORS: readonly StepDescriptor[] = [
  preflight,
  backup,
  crdMigrationLabels,
  baseChartUpgrade,
  gatewayApiCrdsUpgrade,
  istiodInstall,
  istiodUpgrade,
  cniUpgrade,
  ztunnelUpgrade,
  workloadRestart,
  namespaceRelabel,
  tagMove,
  defaultRevisionMove,
  gatewayUpgrade,
  oldRevisionRemoval,
  // Mesh steps: planned by src/plans/mesh for remote clusters and the primary they use, never by a single-cluster hop.
  remoteInjectorInstall,
  remoteInjectorRemoval,
  exposeIstiodRevision,
];

/** A set of descriptors ordered by phase (registry order breaks ties). */
export class StepRegistry {
  readonly descriptors: readonly StepDescriptor[];
  private readonly byKind: ReadonlyMap<string, StepDescriptor>;

  constructor(descriptors: readonly StepDescriptor[]) {
    this.descriptors = descriptors.map((d, i) => ({ d, i })).sort((a, b) => a.d.phase - b.d.phase || a.i - b.i).map((x) => x.d);
    const byKind = new Map<string, StepDescriptor>();
    for (const d of descriptors) {
      if (byKind.has(d.kind)) throw new Error(`step kind ${d.kind} is registered twice`);
      byKind.set(d.kind, d);
    }
    this.byKind = byKind;
  }

  /** A registry with extra kinds: how tests add a throw-away kind without touching this file. */
  with(...extra: StepDescriptor[]): StepRegistry {
    return new StepRegistry([...this.descriptors, ...extra]);
  }

  get kinds(): [string, ...string[]] {
    return this.descriptors.map((d) => d.kind) as [string, ...string[]];
  }

  descriptor(kind: string): StepDescriptor {
    const d = this.byKind.get(kind);
    if (!d) throw new Error(`unknown step kind ${kind}`);
    return d;
  }

  /** Kinds a catalog note may ask for: the planner builds them instead of warning "manual". */
  get noteKinds(): string[] {
    return this.descriptors.filter((d) => d.requestedByNotes).map((d) => d.kind);
  }

  /**
   * Which fact keys a step changes when it runs. On resume those keys are expected to differ from
   * the plan for the steps this run already did, so they must not be reported as drift.
   */
  factsTouchedBy(step: PlanStep): (key: string) => boolean {
    return factMatcher(this.descriptor(step.kind).touches(step));
  }
}

export const STEPS = new StepRegistry(DESCRIPTORS);
export const STEP_KINDS = STEPS.kinds;
export const planSchema = planSchemaFor(STEP_KINDS);
