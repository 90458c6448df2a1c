import { describe, expect, it } from 'vitest';
import { planUpgrade } from '../../src/plans/planner/index.js';
import type { Plan, PlanStep } from '../../src/plan/schema.js';
import { UserError } from '../../src/errors.js';
import { PLAN_CASES, inventoryOf, planFor, requestFor } from '../support/plan-cases.js';

const caseNamed = (name: string) => PLAN_CASES.find((c) => c.name === name)!;
const kinds = (p: Plan) => p.steps.map((s) => s.kind);
const step = (p: Plan, id: string): PlanStep => {
  const s = p.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${p.steps.map((x) => x.id).join(', ')}`);
  return s;
};
const argvs = (s: PlanStep) => s.commands.map((c) => c.argv.join(' '));

describe('ambient 1.23 → 1.24 with DNS capture (istio.io ambient Helm upgrade + 1.24 notes)', async () => {
  const { plan } = await planFor(caseNamed('ambient-1.23-to-1.24'));

  it('orders CRDs, control plane, CNI, restart, ztunnel, tags, gateways', () => {
    expect(kinds(plan)).toEqual([
      'preflight', 'backup', 'crd-migration-labels', 'base-chart-upgrade', 'istiod-install', 'cni-upgrade', 'workload-restart', 'ztunnel-upgrade', 'tag-move', 'tag-move', 'default-revision-move', 'gateway-upgrade',
    ]);
    expect(step(plan, 'h1-workload-restart-ambient-dns').why[0]!.source).toContain('1.24');
  });

  it('adopts the CRDs for the base release found in the cluster and its rollback removes exactly that', () => {
    const s = step(plan, 'h1-crd-migration-labels');
    const action = s.commands[0]!.api!;
    expect(action).toMatchObject({ type: 'label-crds', labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'istio-base', 'meta.helm.sh/release-namespace': 'istio-system' } });
    expect(s.rollback!.commands[0]!.api).toMatchObject({ type: 'unlabel-crds', labels: ['app.kubernetes.io/managed-by'], annotations: ['meta.helm.sh/release-name', 'meta.helm.sh/release-namespace'] });
    if (action.type === 'label-crds') expect(action.crds).toHaveLength(14);
  });

  it('installs a revisioned ambient istiod from the running values and points ztunnel at it', () => {
    expect(argvs(step(plan, 'h1-istiod-install'))[0]).toBe(
      'helm install istiod-1-24-6 istiod --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --set revision=1-24-6 --set profile=ambient --set compatibilityVersion=1.23 --wait --values <values-of:istio-system/istiod-1-23-6>',
    );
    expect(step(plan, 'h1-istiod-install').rollback!.commands[0]!.argv.join(' ')).toBe('helm uninstall istiod-1-24-6 -n istio-system --wait');
    expect(argvs(step(plan, 'h1-ztunnel-upgrade'))[0]).toContain('--set revision=1-24-6');
    expect(step(plan, 'h1-ztunnel-upgrade').disruption).toContain('long-lived TCP connections');
    // The revision to go back to is the one the run records before the step, never a guess made here.
    expect(step(plan, 'h1-cni-upgrade').rollback!.commands[0]!.helm).toEqual({ op: 'rollback', release: 'istio-cni', namespace: 'istio-system', rollbackTo: 'recorded-before', wait: true });
  });

  it('moves the tag with fewer namespaces first and default last, rendered with the 1.24 template', () => {
    const tags = plan.steps.filter((s) => s.kind === 'tag-move').map((s) => s.id);
    expect(tags).toEqual(['h1-tag-move-prod-stable', 'h1-tag-move-default']);
    const t = step(plan, 'h1-tag-move-default');
    expect(t.commands[0]!.argv).toContain('templates/revision-tags.yaml');
    expect(t.commands[1]!.api).toEqual({ type: 'apply-rendered', fieldManager: 'istio-upgrade' });
    expect(t.rollback!.commands[0]!.argv).toEqual(expect.arrayContaining(['--version', '1.23.6', 'revision=1-23-6']));
    expect(t.disruption).toContain('payments/waypoint');
  });

  it('keeps cleanup out unless asked, and then removes only the old revision', async () => {
    expect(plan.steps.some((s) => s.kind === 'old-revision-removal')).toBe(false);
    expect(plan.followUps.map((f) => f.id)).toContain('h1-remove-1-23-6');
    // The hop's default-revision-move already took defaultRevision and the validator to 1-24-6: only the uninstall is left.
    expect(plan.followUps.find((f) => f.id === 'h1-remove-1-23-6')!.commands.map((c) => c.join(' '))).toEqual(['helm uninstall istiod-1-23-6 -n istio-system --wait']);
    // Run by hand: the release values apply would fill in are fetched by the operator first.
    expect(plan.followUps.find((f) => f.id === 'h1-drop-compatibility-version')!.commands[0]!.join(' ')).toBe('helm get values istiod-1-24-6 -n istio-system -o yaml > istiod-1-24-6-values.yaml');
    const { plan: withCleanup } = await planFor(caseNamed('ambient-1.23-to-1.24-cleanup'));
    const removal = step(withCleanup, 'h1-old-revision-removal-1-23-6');
    expect(removal.irreversible).toBe(true);
    expect(removal.rollback).toBeNull();
    // defaultRevision and the validator moved in the hop's own step (issue 9 defect 7): the removal only uninstalls.
    expect(argvs(removal)).toEqual(['helm uninstall istiod-1-23-6 -n istio-system --wait']);
    expect(withCleanup.steps.findIndex((s) => s.id === 'h1-default-revision-move')).toBeLessThan(withCleanup.steps.indexOf(removal));
  });
});

describe('tags keep the injector settings of the revision they point at', () => {
  it('a moved tag (and its rollback) is rendered with the istiod values the revision-tags template reads', async () => {
    const inv = await inventoryOf('ambient-helm-1.23');
    const istiod = inv.helmReleases.find((r) => r.name === 'istiod-1-23-6')!;
    const custom = { ...istiod, values: { ...istiod.values, sidecarInjectorWebhook: { enableNamespacesByDefault: true, reinvocationPolicy: 'IfNeeded' } } };
    const withInjector = { ...inv, helmReleases: inv.helmReleases.map((r) => (r === istiod ? custom : r)) };
    const plan = planUpgrade(withInjector, requestFor({ name: 'tag-values', fixture: '', request: { to: '1.24' }, expect: { blocked: false, hops: 1 } }));
    const move = step(plan, 'h1-tag-move-default');
    for (const argv of [move.commands[0]!.argv, move.rollback!.commands[0]!.argv]) {
      // Without them the default tag loses the "auto." webhook (every unlabelled namespace injected) and IfNeeded.
      expect(argv.join(' ')).toContain('--set sidecarInjectorWebhook.enableNamespacesByDefault=true --set sidecarInjectorWebhook.reinvocationPolicy=IfNeeded');
    }
    // Meshes that do not customise them render as before.
    expect(argvs(step((await planFor(caseNamed('ambient-1.23-to-1.24'))).plan, 'h1-tag-move-default')).join(' ')).not.toContain('sidecarInjectorWebhook');
  });
});

describe('follow-ups are commands an operator can run (issue 9 defects 4 and 8)', () => {
  it('dropping a compatibilityVersion that still masks DNS capture says to restart the ambient workloads afterwards', async () => {
    const title = (name: string) => planFor(caseNamed(name)).then(({ plan }) => plan.followUps.find((u) => u.id.endsWith('-drop-compatibility-version'))!.title);
    expect(await title('ambient-1.23-to-1.26-multi-hop')).toMatch(/; 1\.25-ambient-dns then switch on for pods started afterwards only, so restart the ambient workloads/);
    expect(await title('ambient-1.23-to-1.24')).not.toContain('restart');
  });

  it('in place on a revision-less istiod: the revision stays default and every follow-up names release istiod', async () => {
    const inv = await inventoryOf('istio-csr');
    const plan = planUpgrade(inv, requestFor({ name: 'csr-in-place', fixture: '', request: { to: '1.24', strategy: 'in-place' }, expect: { blocked: false, hops: 1 } }));
    expect(plan.target.revision).toBe('default');
    expect(plan.hops[0]!.revision).toBe('default');
    expect(argvs(step(plan, 'h1-istiod-upgrade'))[0]).toMatch(/^helm upgrade istiod istiod /);
    const lines = plan.followUps.flatMap((u) => u.commands.map((c) => c.join(' ')));
    expect(lines.filter((l) => l.startsWith('helm upgrade istiod ')).length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).not.toContain('istiod-default');
      expect(l).not.toContain('--reuse-values');
    }
  });

  it('dropping compatibilityVersion names every release the last hop set it on, with helm flags that exist', async () => {
    const { plan } = await planFor(caseNamed('ambient-1.23-to-1.24'));
    const u = plan.followUps.find((x) => x.id === 'h1-drop-compatibility-version')!;
    const lines = u.commands.map((c) => c.join(' '));
    // helm get values has no --output-file (helm.sh docs/helm/helm_get_values): its output is redirected.
    expect(lines.some((l) => l.includes('--output-file'))).toBe(false);
    for (const [release, ns, chart] of [['istiod-1-24-6', 'istio-system', 'istiod'], ['istio-cni', 'istio-system', 'cni'], ['ztunnel', 'istio-system', 'ztunnel'], ['istio-ingress', 'istio-ingress', 'gateway']]) {
      expect(lines).toContain(`helm get values ${release} -n ${ns} -o yaml > ${release}-values.yaml`);
      expect(lines.find((l) => l.startsWith(`helm upgrade ${release} ${chart} `)), release).toMatch(new RegExp(`-n ${ns} --version 1\\.24\\.6 --values ${release}-values\\.yaml --set compatibilityVersion=null --wait$`));
    }
  });
});

describe('catalog step notes placed after ztunnel (1.25 turns DNS capture on by default)', () => {
  it('restart ambient workloads after the ztunnel upgrade unless a compatibility profile reverts the change', async () => {
    const inv = await inventoryOf('ambient-helm-1.23');
    const request = (compatibilityVersion: string) =>
      planUpgrade(inv, requestFor({ name: 'dns', fixture: '', request: { to: '1.25', compatibilityVersion }, expect: { blocked: false, hops: 2 } }));
    const none = request('none');
    const hop2 = none.steps.filter((s) => s.hop === 2).map((s) => s.id);
    expect(hop2.indexOf('h2-workload-restart-ambient-after-ztunnel')).toBe(hop2.indexOf('h2-ztunnel-upgrade') + 1);
    expect(step(none, 'h2-workload-restart-ambient-after-ztunnel').why[0]!.source).toContain('1.25');
    const auto = request('auto');
    // auto keeps the source minor (1.23) for as long as each target accepts it (issue 9 defect 5).
    expect(auto.hops.map((h) => h.compatibilityVersion)).toEqual(['1.23', '1.23']);
    expect(auto.steps.map((s) => s.id)).not.toContain('h2-workload-restart-ambient-after-ztunnel');
  });

  it('a change the compatibility profile masked gets its restart in the hop where it switches on (issue 9 defects 4 and 5)', async () => {
    const inv = await inventoryOf('ambient-helm-1.23');
    const plan = planUpgrade(inv, requestFor({ name: 'dns-later', fixture: '', request: { to: '1.28' }, expect: { blocked: false, hops: 5 } }));
    // 1.27 accepts 1.24 (DNS capture still off); 1.28 accepts 1.25 at the oldest, so DNS capture switches on in hop 5.
    expect(plan.hops.map((h) => h.compatibilityVersion)).toEqual(['1.23', '1.23', '1.23', '1.24', '1.25']);
    const ids = plan.steps.map((s) => s.id);
    for (const h of [2, 3, 4]) expect(ids).not.toContain(`h${h}-workload-restart-ambient-after-ztunnel`);
    expect(ids.indexOf('h5-workload-restart-ambient-after-ztunnel')).toBe(ids.indexOf('h5-ztunnel-upgrade') + 1);
    expect(step(plan, 'h5-workload-restart-ambient-after-ztunnel').why[0]!.source).toContain('1.25');
    // Each hop names only what switches on there.
    expect(plan.warnings.find((w) => w.id === 'h4-compatibility-changes-switch-on')!.message).toMatch(/switch on now: 1\.24-retries, 1\.24-sidecar-scope, 1\.24-dr-merge$/);
    expect(plan.warnings.find((w) => w.id === 'h5-compatibility-changes-switch-on')!.message).toMatch(/switch on now: 1\.25-ambient-dns, 1\.25-ip-autoallocate$/);
  });
});

describe('Helm-owned CRDs under a custom base release', async () => {
  const { plan } = await planFor(caseNamed('ambient-crds-owned-to-1.24'));
  it('skips the migration and upgrades the base release by its real name', () => {
    expect(kinds(plan)).not.toContain('crd-migration-labels');
    expect(argvs(step(plan, 'h1-base-chart-upgrade'))[0]).toMatch(/^helm upgrade mesh-base base --repo https:\/\/blob\.istio\.io\/istio-release\/charts -n istio-system --version 1\.24\.6/);
  });
});

describe('sidecar canary with tags', async () => {
  const { plan, inventory } = await planFor(caseNamed('sidecar-1.22-to-1.24-canary'));
  it('jumps two minors in one hop and restarts the namespaces of each tag after it moves', () => {
    expect(plan.hops).toEqual([expect.objectContaining({ from: '1.22.8', to: '1.24.6', fromRevision: '1-22-8', revision: '1-24-6' })]);
    const order = plan.steps.filter((s) => ['tag-move', 'workload-restart'].includes(s.kind)).map((s) => s.id);
    expect(order).toEqual(['h1-tag-move-canary', 'h1-workload-restart-tag-canary', 'h1-tag-move-default', 'h1-workload-restart-tag-default']);
    const restart = step(plan, 'h1-workload-restart-tag-default');
    expect(restart.verify[0]).toMatchObject({ type: 'workloads-restarted', revision: '1-24-6', proxyVersion: '1.24.6' });
    const defaultNamespaces = inventory.dataPlane.namespaces.filter((n) => n.injection === 'enabled' || n.revisionLabel === 'default').map((n) => n.name);
    const restartedNamespaces = new Set(restart.commands.flatMap((c) => (c.api?.type === 'rollout-restart' ? c.api.workloads.map((w) => w.namespace) : [])));
    expect([...restartedNamespaces].sort()).toEqual(defaultNamespaces.filter((n) => inventory.dataPlane.workloads.some((w) => w.namespace === n)).sort());
  });

  it('honours --tag-order', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const p = planUpgrade(inv, requestFor({ ...caseNamed('sidecar-1.22-to-1.24-canary'), request: { to: '1.24', tagOrder: ['default'] } }));
    expect(p.steps.filter((s) => s.kind === 'tag-move').map((s) => s.id)).toEqual(['h1-tag-move-default', 'h1-tag-move-canary']);
  });

  it('splits into one-minor hops on request, with full versions and the cleanup of each old revision', async () => {
    const { plan: mh } = await planFor(caseNamed('sidecar-1.22-to-1.24-one-minor-hops'));
    expect(mh.hops.map((h) => [h.from, h.to, h.fromRevision, h.revision])).toEqual([
      ['1.22.8', '1.23.6', '1-22-8', '1-23-6'],
      ['1.23.6', '1.24.6', '1-23-6', '1-24-6'],
    ]);
    expect(mh.steps.filter((s) => s.kind === 'old-revision-removal').map((s) => s.id)).toEqual(['h1-old-revision-removal-1-22-8', 'h2-old-revision-removal-1-23-6']);
    expect(argvs(step(mh, 'h2-istiod-install'))[0]).toContain('--values <values-of:istio-system/istiod-1-23-6>');
    expect(mh.steps.filter((s) => s.hop === 2 && s.kind === 'crd-migration-labels')).toHaveLength(1);
    // The 1.22 release rendered the tag webhooks itself: its uninstall deletes them, so the step re-creates them at once.
    const removal = step(mh, 'h1-old-revision-removal-1-22-8');
    expect(argvs(removal).slice(0, 2)).toEqual([
      'helm uninstall istiod-1-22-8 -n istio-system --wait',
      "helm template istiod-1-23-6 istiod --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.23.6 -s templates/revision-tags.yaml --set revisionTags={default} --set revision=1-23-6",
    ]);
    expect(removal.commands.filter((c) => c.api?.type === 'apply-rendered')).toHaveLength(2);
    expect(mh.warnings.map((w) => w.id)).toContain('tags-owned-by-old-release');
  });

  it('plans in place: same revision, helm upgrade, restarts, no tag moves', async () => {
    const { plan: ip } = await planFor(caseNamed('sidecar-1.22-in-place-to-1.23'));
    expect(kinds(ip)).not.toContain('tag-move');
    expect(kinds(ip)).not.toContain('istiod-install');
    expect(argvs(step(ip, 'h1-istiod-upgrade'))[0]).toMatch(/^helm upgrade istiod-1-22-8 istiod --repo https:\/\/blob\.istio\.io\/istio-release\/charts -n istio-system --version 1\.23\.6/);
  });
});

describe('blocked plans still plan and say why', () => {
  it('a Helm release stuck in pending-upgrade gives the recovery recipe', async () => {
    const { plan } = await planFor(caseNamed('pending-upgrade-to-1.24'));
    const b = plan.blockers.find((x) => x.id === 'helm-release-pending')!;
    expect(b.message).toContain('istio-system/istiod is stuck in pending-upgrade at revision 3 (Secret sh.helm.release.v1.istiod.v3)');
    expect(b.remedy?.[0]).toBe('helm rollback istiod 2 -n istio-system');
    expect(plan.steps.length).toBeGreaterThan(0);
  });

  it('the in-cluster operator blocks 1.24 with the migration pointer', async () => {
    const { plan } = await planFor(caseNamed('istioctl-operator-to-1.24'));
    expect(plan.blockers.map((b) => b.id)).toEqual(expect.arrayContaining(['1.24-operator-removed', 'install-method-operator']));
  });

  it('Kubernetes below the target minimum blocks each hop that needs more', async () => {
    const { plan } = await planFor(caseNamed('old-kubernetes-to-1.24'));
    expect(plan.blockers.filter((b) => b.id === 'kubernetes-too-old').map((b) => b.message)).toEqual([
      'Kubernetes 1.26.15 is below the minimum 1.27 supported by Istio 1.22 (supported 1.27–1.30); upgrade Kubernetes first',
      'Kubernetes 1.26.15 is below the minimum 1.28 supported by Istio 1.24 (supported 1.28–1.31); upgrade Kubernetes first',
    ]);
  });

  it('istio-csr ≤ v0.12 crossing into 1.24: the new istiod gets GRPC_ENFORCE_ALPN_ENABLED="false" and a follow-up drops it', async () => {
    const { plan } = await planFor(caseNamed('istio-csr-to-1.24'));
    const install = step(plan, 'h1-istiod-install').commands[0]!.argv;
    // A string: `--set` would turn "false" into a boolean, which proxyMetadata (a string map) rejects.
    expect(install.join(' ')).toContain('--set-string meshConfig.defaultConfig.proxyMetadata.GRPC_ENFORCE_ALPN_ENABLED=false');
    expect(plan.warnings.find((w) => w.id === '1.24-istio-csr-set-by-plan')?.message).toContain('istio-csr is upgraded past v0.12.0');
    expect(plan.followUps.find((u) => u.id === 'drop-1.24-istio-csr')?.commands.at(-1)?.join(' ')).toContain('--set meshConfig.defaultConfig.proxyMetadata.GRPC_ENFORCE_ALPN_ENABLED=null');
    expect(plan.warnings.map((w) => w.id)).not.toContain('1.24-istio-csr');
    // The relabelled namespaces move; the istio-injection=enabled convention stays with the revision-less injector.
    const w = plan.warnings.find((x) => x.id === 'injection-enabled-stays-on-old-injector');
    expect(w?.message).toContain('namespaces labelled that way after this plan get its old proxy');
    expect(w?.remedy).toEqual(['istioctl tag set default --revision 1-24-6   # also turns off the revision-less injector\'s default selectors']);
  });

  it('the ambient umbrella chart and the Sail Operator are refused with what to do instead', async () => {
    expect((await planFor(caseNamed('ambient-umbrella-to-1.24'))).plan.blockers.map((b) => b.id)).toContain('ambient-umbrella-chart');
    expect((await planFor(caseNamed('sail-to-1.25'))).plan.blockers.map((b) => b.id)).toContain('install-method-sail');
  });

  it('a blocked umbrella plan lists its follow-ups without a command (`helm uninstall ambient` would remove the whole mesh; issue 9 defect 10)', async () => {
    const { plan } = await planFor(caseNamed('ambient-umbrella-to-1.24'));
    expect(plan.followUps.map((u) => u.id)).toContain('h1-remove-default');
    for (const u of plan.followUps) {
      expect(u.commands, u.id).toEqual([]);
      expect(u.title, u.id).toMatch(/not shown: this plan is blocked/);
    }
  });
});

describe('stragglers', async () => {
  const { plan } = await planFor(caseNamed('stragglers-to-1.24'));
  it('names unrestartable pods and pods of missing revisions, and leaves other tags alone', () => {
    const ids = plan.warnings.map((w) => w.id);
    expect(ids).toEqual(expect.arrayContaining(['unrestartable-pods', 'proxies-of-missing-revision', 'tags-left-alone']));
    expect(plan.warnings.find((w) => w.id === 'unrestartable-pods')!.message).toContain('batch/Job/nightly-export');
  });
  it('removes the source revision once only restarted namespaces used it, and never touches the older one still in use', () => {
    const removal = plan.steps.filter((s) => s.kind === 'old-revision-removal');
    expect(removal.map((s) => s.id)).toEqual(['h1-old-revision-removal-1-23-6']);
    expect(plan.steps.flatMap(argvs).filter((a) => a.includes('istiod-1-22-8'))).toEqual([]);
  });
});

describe('old revision removal safety', () => {
  it('is not planned while an unrestartable pod still runs the old proxy', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    inv.dataPlane.workloads.push({ namespace: 'ops', kind: 'Pod', name: 'debug', revision: '1-22-8', proxyVersion: '1.22.8', pods: 1, restartable: false, mode: 'sidecar' });
    const p = planUpgrade(inv, requestFor({ name: 'rm', fixture: '', request: { to: '1.24', includeCleanup: true }, expect: { blocked: false, hops: 0 } }));
    expect(p.steps.some((s) => s.kind === 'old-revision-removal')).toBe(false);
    expect(p.warnings.find((w) => w.id === 'old-revision-in-use')?.message).toBe('revision 1-22-8 cannot be removed by this plan: 1 pod(s) would still run its proxy (ops/Pod/debug)');
    expect(p.followUps.some((f) => f.id === 'h1-remove-1-22-8')).toBe(true);
  });
});

describe('requests', () => {
  it.each([
    [{ to: '1.20' }, /older than the installed 1.22.8; pass --allow-downgrade/],
    [{ to: '1.24.99' }, /--to 1.24.99: Istio 1.24.99 is not in the release catalog.*--allow-unknown-version/],
    [{ to: '1.40' }, /newer than the release catalog/],
    [{ to: 'banana' }, /--to banana/],
    [{ to: '1.24', revision: 'Not_A_Label' }, /not a DNS-1123 label/],
    [{ to: '1.24', tagOrder: ['nope'] }, /--tag-order names tag "nope"/],
    [{ to: '1.24', compatibilityVersion: '1.10' }, /--compatibility-version 1.10 is not accepted by Istio 1.24/],
  ])('%o is refused as a usage error', async (request, message) => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const run = () => planUpgrade(inv, requestFor({ name: 'x', fixture: '', request, expect: { blocked: false, hops: 0 } }));
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect((e as UserError).exitCode).toBe(64);
    }
  });

  it('the installed version is "nothing to do"', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const p = planUpgrade(inv, requestFor({ name: 'same', fixture: '', request: { to: '1.22.8' }, expect: { blocked: false, hops: 0 } }));
    expect(p.upToDate).toBe(true);
    expect(p.steps).toEqual([]);
  });

  it('an unknown newer version plans with --allow-unknown-version and a loud warning', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const p = planUpgrade(inv, requestFor({ name: 'u', fixture: '', request: { to: '1.23.99', allowUnknownVersion: true }, expect: { blocked: false, hops: 0 } }));
    expect(p.target).toEqual({ version: '1.23.99', revision: '1-23-99', known: false });
    expect(p.warnings[0]!.id).toBe('unknown-target-version');
  });

  it('a revision name that collides with a tag is a blocker', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const p = planUpgrade(inv, requestFor({ name: 'c', fixture: '', request: { to: '1.24', revision: 'canary' }, expect: { blocked: false, hops: 0 } }));
    expect(p.blockers.map((b) => b.id)).toContain('revision-name-taken');
  });
});
