import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { parseChartSource } from '../../plans/chart-source.js';
import { parseHub } from '../../plans/image-hub.js';
import { discover } from '../../k8s/discover/index.js';
import { planUpgrade, DEFAULT_REQUEST, UNKNOWN_TARGET_WARNING, type PlanRequest } from '../../plans/planner/index.js';
import type { Plan } from '../../plan/schema.js';
import { readEd25519Key, sealPlan } from '../../plans/plan-integrity.js';
import type { Inventory } from '../../k8s/inventory.js';
import { ExitCode, UserError } from '../../errors.js';
import { TOOL_VERSION } from '../../version.js';
import { textStyle } from '../color.js';
import { openSource } from '../source.js';
import { SnapshotSource } from '../../k8s/snapshot.js';

/** A plain List (or an older snapshot) has no item count or digest: a file cut short would go unnoticed. */
const UNVERIFIED_SNAPSHOT = {
  id: 'snapshot-unverified',
  message: 'the input snapshot carries no item count or digest (a kubectl List, or written by an older version): a file cut short cannot be detected; prefer one written by istio-upgrade snapshot',
};
import { validateNamespace, type ClusterOptions, type OutputOptions } from '../options.js';
import { renderPlan } from '../../report/plan/index.js';
import { toJson } from '../../report/structured.js';
import { writeFileAtomic, writeStdout } from '../write-output.js';
import { readOperatorFile } from '../operator-file.js';
import { isMeshSelection, type MeshSelectionOptions } from '../mesh-input.js';
import type { MeshPlanOptions } from './plan-mesh.js';
import { catalogFileWarning, useCatalogFile } from '../catalog-option.js';
import { overridesFor, readOverrideInputs, type ValueFlags } from '../value-flags.js';
import { withValueOverrides } from '../../plans/overrides-in-plan.js';

export interface PlanOptions extends ClusterOptions, OutputOptions, ValueFlags {
  to?: string;
  strategy: 'canary' | 'in-place';
  maxMinorJump: string;
  compatibilityVersion: string;
  revision?: string;
  tagOrder?: string;
  includeCleanup?: boolean;
  allowDowngrade?: boolean;
  allowUnknownVersion?: boolean;
  catalog?: string;
  chartRepo: string;
  hub?: string;
  skipGatewayApiCrds?: boolean;
  gatewayApiReleases?: string;
  istioOperatorFile?: string;
  backupDir?: string;
  restartBatchSize: string;
  out?: string;
  signKey?: string;
  detailedExitcode?: boolean;
}

export function newPlanId(now: Date): string {
  return `plan-${now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

function positiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UserError(`${flag} must be a whole number from 1 to ${max}, got "${value}"`, ExitCode.usage);
  return n;
}

function httpUrl(value: string, flag: string): string {
  if (!/^https?:\/\/[^\s'"<>\\]+$/.test(value)) throw new UserError(`${flag} must be an http(s) URL, got "${value}"`, ExitCode.usage);
  return value;
}

export function planRequestFrom(opts: PlanOptions, now = new Date()): PlanRequest {
  if (!opts.to) throw new UserError('plan needs --to <version> (e.g. --to 1.24, --to 1.24.2, --to latest)', ExitCode.usage);
  const cv = opts.compatibilityVersion;
  if (!['auto', 'none'].includes(cv) && !/^1\.\d+$/.test(cv)) throw new UserError(`--compatibility-version must be auto, none or a minor such as 1.23, got "${cv}"`, ExitCode.usage);
  const planId = newPlanId(now);
  // A local chart directory is listed here, so the plan names `<chart>-<version>.tgz` when `helm pull` wrote one.
  const chartSource = parseChartSource(opts.chartRepo, (dir) => readdirSync(dir));
  const hub = opts.hub !== undefined ? parseHub(opts.hub) : undefined;
  // istio.io/rev=default selects the default tag (the unrevisioned control plane): no revision may take that name.
  if (opts.revision === 'default') throw new UserError('--revision default is reserved: istio.io/rev=default means the default tag; choose another name, e.g. 1-24-2', ExitCode.usage);
  if (opts.backupDir !== undefined && !opts.backupDir.trim()) throw new UserError('--backup-dir needs a directory name (it is where the backup step writes)', ExitCode.usage);
  return {
    ...DEFAULT_REQUEST,
    to: opts.to,
    strategy: opts.strategy,
    maxMinorJump: positiveInt(opts.maxMinorJump, '--max-minor-jump', 2),
    compatibilityVersion: cv,
    ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
    ...(opts.tagOrder ? { tagOrder: opts.tagOrder.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
    includeCleanup: opts.includeCleanup ?? false,
    allowDowngrade: opts.allowDowngrade ?? false,
    allowUnknownVersion: opts.allowUnknownVersion ?? false,
    chartRepo: opts.chartRepo,
    chartSource,
    ...(hub !== undefined ? { hub } : {}),
    ...(opts.skipGatewayApiCrds ? { skipGatewayApiCrds: true } : {}),
    ...(opts.gatewayApiReleases !== undefined ? { gatewayApiReleases: httpUrl(opts.gatewayApiReleases, '--gateway-api-releases') } : {}),
    ...(opts.istioOperatorFile !== undefined ? { istioOperatorFile: readOperatorFile(opts.istioOperatorFile) } : {}),
    ...(opts.backupDir !== undefined ? { backupDir: opts.backupDir } : {}),
    restartBatchSize: positiveInt(opts.restartBatchSize, '--restart-batch-size', 1000),
    planId,
    now,
    toolVersion: TOOL_VERSION,
  };
}

/** Reads the cluster and plans; shared by `plan` and `apply --to`. */
export async function makePlan(opts: PlanOptions): Promise<{ plan: Plan; inventory: Inventory }> {
  const catalog = await useCatalogFile(opts.catalog);
  const overrides = readOverrideInputs(opts);
  const request = planRequestFrom(opts);
  const source = await openSource(opts);
  const inventory = await discover(source, { istioNamespace: validateNamespace(opts.istioNamespace) });
  const planned = planUpgrade(inventory, request);
  // Which keys the target no longer reads depends on the target, known once planned.
  const plan = overrides ? withValueOverrides(planned, overridesFor(overrides, planned.target.version)) : planned;
  if (source instanceof SnapshotSource && !source.verified) plan.warnings.push(UNVERIFIED_SNAPSHOT);
  if (catalog) {
    plan.warnings.push(catalogFileWarning(opts.catalog!, catalog));
    plan.metadata.catalog = { version: catalog.version, source: catalog.source, mode: catalog.mode, digest: catalog.digest };
  }
  // A target beyond the catalog is said on stderr whatever the format, so it is seen even when stdout is a file.
  for (const w of plan.warnings.filter((x) => x.id === UNKNOWN_TARGET_WARNING)) process.stderr.write(`istio-upgrade: warning: ${w.message}\n`);
  return { plan, inventory };
}

export function planExitCode(plan: Plan, detailed: boolean): number {
  if (plan.blockers.length) return ExitCode.blocked;
  if (plan.upToDate) return ExitCode.ok;
  return detailed ? ExitCode.changes : ExitCode.ok;
}

export async function planCommand(opts: PlanOptions): Promise<number> {
  if (isMeshSelection(opts as MeshSelectionOptions)) {
    if (opts.set?.length || opts.values?.length) throw new UserError('--set/--values apply to one cluster: plan each cluster of a multi-cluster mesh on its own to override values', ExitCode.usage);
    return (await import('./plan-mesh.js')).planMeshCommand(opts as unknown as MeshPlanOptions);
  }
  if (opts.signKey !== undefined && !opts.out) throw new UserError('--sign-key signs the plan file: pass --out FILE too', ExitCode.usage);
  const signingKey = opts.signKey !== undefined ? await readEd25519Key(opts.signKey, '--sign-key', 'private') : undefined;
  const made = await makePlan(opts);
  const { inventory } = made;
  // The file carries the digest of its content (and a signature with --sign-key); apply checks both.
  const plan = opts.out ? sealPlan(made.plan, signingKey) : made.plan;
  if (opts.out) {
    await writeFileAtomic(opts.out, toJson(plan), 0o644, 'the plan file');
    // A blocked plan is kept for the ticket, with its blockers in the file; apply refuses it, so it is not offered.
    process.stderr.write(
      plan.blockers.length
        ? `wrote ${opts.out} (plan ${plan.metadata.id}, BLOCKED by ${plan.blockers.length} blocker(s): apply refuses it; fix the blockers and plan again)\n`
        : `wrote ${opts.out} (plan ${plan.metadata.id}, digest ${plan.integrity?.digest}${plan.integrity?.signature ? ', signed' : ''}); run: istio-upgrade apply ${opts.out}\n`,
    );
  }
  await writeStdout(renderPlan(plan, inventory, opts.output, textStyle(opts.color)));
  return planExitCode(plan, opts.detailedExitcode ?? false);
}
