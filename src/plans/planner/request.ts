import type { ChartSource } from '../../plan/operations.js';
import { ISTIO_HELM_REPOSITORY } from '../chart-source.js';
import type { ImageSetting } from '../image-hub.js';

/** The IstioOperator file an istioctl install was made from, as checked at plan time. */
export interface OperatorFile {
  path: string;
  sha256: string;
  /** `spec.revision` of the file; the plan overrides it with the new revision. */
  revision: string | null;
  /** Its `hub`/`image` settings (`spec.hub`, `spec.values.global.hub`, `spec.values.pilot.image`…). */
  imageSettings?: ImageSetting[];
  /** Leaf digests of its `spec.meshConfig` (compared with the running revision's mesh config). */
  meshConfig?: Record<string, string>;
}

export interface PlanRequest {
  /** `1.24`, `1.24.2`, `v1.24.2` or `latest`. */
  to: string;
  strategy: 'canary' | 'in-place';
  /** Cap on minors per canary hop (Istio supports 2). */
  maxMinorJump: number;
  /** `auto`, `none` or a minor such as `1.23`. */
  compatibilityVersion: string;
  /** Overrides the derived name of the final hop's revision. */
  revision?: string;
  tagOrder?: string[];
  includeCleanup: boolean;
  allowDowngrade: boolean;
  allowUnknownVersion: boolean;
  chartRepo: string;
  /** `--chart-repo` parsed where the directory can be read (the CLI); absent: parsed from chartRepo. */
  chartSource?: ChartSource;
  /** `--hub`: the registry every chart the plan installs pulls its images from (private mirrors). */
  hub?: string;
  /** Where the backup step writes; default `istio-upgrade-backup-<from>-to-<to>` (no plan id, so plans are deterministic). */
  backupDir?: string;
  restartBatchSize: number;
  /** `--skip-gateway-api-crds`: a platform team owns the Gateway API CRDs; the plan warns instead of upgrading them. */
  skipGatewayApiCrds?: boolean;
  /** `--gateway-api-releases`: where the Gateway API release manifests are fetched from (a mirror of the project's release downloads). */
  gatewayApiReleases?: string;
  /** Required to plan a canary of an istioctl install. */
  istioOperatorFile?: OperatorFile;
  planId: string;
  now: Date;
  toolVersion: string;
}

export const DEFAULT_REQUEST: Omit<PlanRequest, 'to' | 'planId' | 'now' | 'toolVersion' | 'backupDir'> = {
  strategy: 'canary',
  maxMinorJump: 2,
  compatibilityVersion: 'auto',
  includeCleanup: false,
  allowDowngrade: false,
  allowUnknownVersion: false,
  chartRepo: ISTIO_HELM_REPOSITORY,
  restartBatchSize: 10,
};
