import type { HelmRelease, Inventory, Revision } from '../k8s/inventory.js';
import { upgradePolicy, type ChartKey } from '../plans/catalog/index.js';
import type { HopNotes } from '../plans/planner/notes.js';
import type { FactSet } from '../plan/facts.js';
import type { Hop, Plan, PlanIssue, PlanStep } from '../plan/schema.js';
import type { ChartSetting } from './commands.js';
import type { ChartSource } from '../plan/operations.js';
import type { BuiltStep } from './types.js';

/**
 * What a step descriptor sees while the planner builds one hop: the cluster, the request, the
 * hop, the catalog notes that apply to it, and the state earlier hops and steps left behind.
 */

/** The parts of the plan request that step planning reads. */
export interface HopRequest {
  strategy: 'canary' | 'in-place';
  tagOrder?: string[];
  includeCleanup: boolean;
  chartRepo: string;
  /** `--chart-repo` parsed at the command line (a local directory's entries read there); else parsed from chartRepo. */
  chartSource?: ChartSource;
  /** `--hub`: the image registry of every chart the plan installs or upgrades. */
  hub?: string;
  backupDir: string;
  restartBatchSize: number;
  /** istioctl installs: the operator's IstioOperator file the new revision is installed from. */
  istioOperatorFile?: { path: string; sha256: string };
}

export interface HopFindings {
  blocker(id: string, message: string, extra?: Omit<PlanIssue, 'id' | 'message'>): void;
  warning(id: string, message: string, extra?: Omit<PlanIssue, 'id' | 'message'>): void;
}

/** What changes from hop to hop while the plan is being built. */
export interface PlanState {
  revision: string;
  version: string;
  istiodRelease: { release: string; namespace: string } | null;
  compatibilityVersion: string | null;
  /** Helm releases (`namespace/name`) an earlier step of the plan changes. */
  changedReleases: Set<string>;
  tags: Map<string, string>;
  /**
   * The revision istiod-default-validator (and the base chart's defaultRevision) name once the steps so far ran;
   * null when the cluster has no default validator.
   */
  defaultRevision: string | null;
  namespaceRevLabels: Map<string, string | null>;
  namespaceInjection: Map<string, string | null>;
  crdsHelmOwned: boolean;
  /** What earlier steps change: later steps cannot rest on those facts. */
  touched: FactSet[];
  /** Releases (ns/name) of cni, ztunnel and gateway charts an earlier hop gave a compatibilityVersion. */
  compatCharts: Set<string>;
  /** Gateway releases (ns/name) this plan pinned to a revision, and the revision. */
  gatewayPins: Map<string, string>;
  /** Gateways (ns/name) whose pods stay on an older revision after the current hop. */
  gatewaysOnOld: Set<string>;
}

export interface HopContext {
  inv: Inventory;
  req: HopRequest;
  hop: Hop;
  /** Index of the plan's last hop. */
  lastHop: number;
  /** The revision the plan ends on (the last hop's). */
  finalRevision: string;
  notes: HopNotes;
  method: 'helm' | 'istioctl';
  /** Where every helm command of the plan takes its charts from (`--chart-repo`). */
  charts: ChartSource;
  state: PlanState;
  f: HopFindings;
  followUps: Plan['followUps'];
  /** Blockers and warnings restated by the preflight step. */
  preflightChecks: string[];
  /** The revision already at the hop's target (a half-done upgrade): not installed again, components already there skipped. */
  reuse?: Revision;
  /** Workloads (`namespace/name`) this hop already restarts or rolls. */
  restarted: Set<string>;
  /** Adds a step; `preconditions` are the fact keys its commands rely on (hop 1 only, minus what earlier steps change). */
  add(built: BuiltStep, preconditions?: string[]): PlanStep;
}

export function helmReleaseOf(inv: Inventory, ref: { release: string; namespace: string } | null | undefined): HelmRelease | undefined {
  return ref ? inv.helmReleases.find((r) => r.name === ref.release && r.namespace === ref.namespace) : undefined;
}

/** The release of a chart component, preferring the Istio namespace. */
export function releaseOfComponent(inv: Inventory, component: HelmRelease['component']): HelmRelease | undefined {
  return inv.helmReleases.find((r) => r.component === component && r.namespace === inv.istioNamespace) ?? inv.helmReleases.find((r) => r.component === component);
}

/** The base chart release a Helm plan upgrades, adopts CRDs into and moves defaultRevision with. */
export function baseReleaseFor(ctx: HopContext): HelmRelease | undefined {
  return ctx.method === 'helm' ? releaseOfComponent(ctx.inv, 'base') : undefined;
}


/** Only when finishing a half-done upgrade: a release an earlier run already took to the target is left alone. */
export function alreadyAtTarget(ctx: HopContext, rel: HelmRelease): boolean {
  return ctx.reuse !== undefined && !ctx.state.changedReleases.has(`${rel.namespace}/${rel.name}`) && rel.chartVersion === ctx.hop.to && rel.status === 'deployed';
}

/** Records that a step changes the release (later hops no longer find it as the inventory saw it). */
export function changesRelease(ctx: HopContext, rel: HelmRelease): void {
  ctx.state.changedReleases.add(`${rel.namespace}/${rel.name}`);
}

/**
 * What a chart step sets on top of the release's values: the hop's compatibilityVersion on every chart a
 * compatibility profile can reach (istiod carries its own), and the values upgrade notes ask for.
 */
export function chartSettings(ctx: HopContext, chart: ChartKey, rel?: HelmRelease): ChartSetting[] {
  const { state, hop } = ctx;
  const compat: ChartSetting[] = [];
  if (chart !== 'istiod' && upgradePolicy().compatibilityVersionOnEveryChart.charts.includes(chart)) {
    const key = rel && `${rel.namespace}/${rel.name}`;
    const carried = rel && (state.compatCharts.has(key!) || (rel.values.compatibilityVersion ?? null) !== null);
    if (hop.compatibilityVersion) compat.push({ path: 'compatibilityVersion', value: hop.compatibilityVersion });
    else if (carried) compat.push({ path: 'compatibilityVersion', value: null });
    if (key) state.compatCharts[hop.compatibilityVersion ? 'add' : 'delete'](key);
  }
  // --hub: every Istio chart reads its images' registry from global.hub.
  const hub: ChartSetting[] = ctx.req.hub ? [{ path: 'global.hub', value: ctx.req.hub }] : [];
  return [...compat, ...ctx.notes.chartValues.filter((v) => v.chart === chart).map(({ path, value }) => ({ path, value })), ...hub];
}
