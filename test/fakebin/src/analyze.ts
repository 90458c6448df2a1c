/**
 * The fake `istioctl analyze` against the live (fake) cluster, with two of istioctl's analyzers, written after
 * istio/istio:
 * - IST0158 PodsIstioProxyImageMismatchInNamespace (Warning; analyzers/injection/injection-image.go): in a namespace
 *   labelled istio-injection=enabled or istio.io/rev=R, pods whose istio-proxy image is not the one the injector
 *   ConfigMap istio-sidecar-injector[-R] names (global.hub/global.proxy.image:global.tag, or a `-variant` of it);
 * - IST0139 InvalidWebhook (Error; analyzers/webhook/webhook.go): an Istio injector webhook whose service does not exist.
 * Output as istioctl prints it (istioctl/pkg/analyze/analyze.go, util/formatting/formatter.go): `-o json` is the
 * messages' Unstructured form (code, level, origin, message, documentationUrl) indented with tabs; `-o yaml`; the
 * default log format prints `Level [CODE] (origin) message` lines. The exit code follows the unfiltered messages only
 * in log format: 79 (AnalyzerFoundIssuesError) when one reaches --failure-threshold (default Error); json/yaml exit 0.
 */
import { flag, last, type Parsed } from './args.js';
import { dumpDoc } from './apply.js';
import { CliError } from './errors.js';
import type { KObj, Kube } from './kube.js';
import type { Runtime } from './runtime.js';

type Level = 'Info' | 'Warning' | 'Error';
const RANK: Record<Level, number> = { Info: 0, Warning: 1, Error: 2 };
interface Message {
  code: string;
  level: Level;
  origin: string;
  message: string;
}

/** Exit status istioctl gives AnalyzerFoundIssuesError (istioctl/cmd/sysexits.go). */
const EXIT_ANALYZER_FOUND_ISSUES = 79;

/** util.GetInjectorConfigMapName: the revision-less injector's ConfigMap has no suffix. */
const injectorConfigMap = (rev: string) => (rev === 'default' || rev === '' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${rev}`);

function proxyImageOf(cm: KObj): string {
  try {
    const g = (JSON.parse(String((cm.data as Record<string, string> | undefined)?.values ?? '')) as { global?: { hub?: string; tag?: string; proxy?: { image?: string } } }).global ?? {};
    const image = g.proxy?.image ?? '';
    return image.includes('/') ? image : `${g.hub}/${image}:${g.tag}`;
  } catch {
    return '';
  }
}

async function imageMismatches(kube: Kube, istioNamespace: string): Promise<Message[]> {
  const images = new Map<string, string>();
  for (const cm of await kube.list('ConfigMap', { namespace: istioNamespace })) {
    if (cm.metadata.name.startsWith('istio-sidecar-injector')) images.set(cm.metadata.name, proxyImageOf(cm));
  }
  if (!images.size) return [];
  const out: Message[] = [];
  for (const ns of await kube.list('Namespace')) {
    const labels = ns.metadata.labels ?? {};
    const rev = labels['istio.io/rev'];
    if (labels['istio-injection'] !== 'enabled' && rev === undefined) continue;
    const want = images.get(injectorConfigMap(rev ?? 'default'));
    if (want === undefined) continue;
    const pods: string[] = [];
    for (const pod of await kube.list('Pod', { namespace: ns.metadata.name })) {
      if (pod.metadata.annotations?.['sidecar.istio.io/proxyImage']) continue;
      const proxy = ((pod.spec as { containers?: { name: string; image: string }[] } | undefined)?.containers ?? []).find((c) => c.name === 'istio-proxy');
      if (proxy && proxy.image !== want && !proxy.image.startsWith(`${want}-`)) pods.push(pod.metadata.name);
    }
    if (pods.length) {
      out.push({
        code: 'IST0158',
        level: 'Warning',
        origin: `Namespace ${ns.metadata.name}`,
        message: `The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [${pods.join(' ')}]). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.`,
      });
    }
  }
  return out;
}

interface Webhook {
  name: string;
  clientConfig?: { service?: { name: string; namespace: string } };
  namespaceSelector?: { matchLabels?: Record<string, string> };
}

async function webhooksWithoutService(kube: Kube): Promise<Message[]> {
  const out: Message[] = [];
  for (const mwc of await kube.list('MutatingWebhookConfiguration')) {
    const hooks = (mwc.webhooks as Webhook[] | undefined) ?? [];
    const istio = mwc.metadata.labels?.['istio.io/rev'] !== undefined || hooks.some((h) => h.name.endsWith('istio.io') || h.namespaceSelector?.matchLabels?.['istio.io/rev'] !== undefined);
    if (!istio) continue;
    for (const h of hooks) {
      const svc = h.clientConfig?.service;
      if (!svc || (await kube.get('Service', svc.name, svc.namespace))) continue;
      out.push({ code: 'IST0139', level: 'Error', origin: `MutatingWebhookConfiguration ${mwc.metadata.name}`, message: `Injector refers to a control plane service that does not exist: ${svc.namespace}/${svc.name}.` });
    }
  }
  return out;
}

export async function cmdAnalyze(p: Parsed, rt: Runtime, kube: Kube, istioNamespace: string, version: string): Promise<void> {
  const format = (last(p, 'output') ?? 'log').toLowerCase();
  if (!['log', 'json', 'yaml'].includes(format)) throw new CliError(`${format} not a valid option for format. See istioctl analyze --help`);
  const threshold = (last(p, 'failure-threshold') ?? 'Error') as Level;
  if (RANK[threshold] === undefined) throw new CliError(`invalid argument "${threshold}" for "--failure-threshold" flag: ${threshold} not a valid option. Valid options are: [Info Warning Error]`);
  const messages = [...(await webhooksWithoutService(kube)), ...(await imageMismatches(kube, istioNamespace))];
  const minor = version.split('.').slice(0, 2).join('.');
  const doc = messages.map((m) => ({ code: m.code, level: m.level, origin: m.origin, message: m.message, documentationUrl: `https://istio.io/v${minor}/docs/reference/config/analysis/${m.code.toLowerCase()}/?ref=istioctl-analyze` }));
  if (format === 'json') rt.out(`${messages.length ? JSON.stringify(doc, null, '\t') : '[]'}\n`);
  else if (format === 'yaml') rt.out(messages.length ? dumpDoc(doc) : '[]\n');
  else rt.out(`${messages.map((m) => `${m.level} [${m.code}] (${m.origin}) ${m.message}`).join('\n')}\n`);
  if (!messages.length) rt.err(`\u2714 No validation issues found when analyzing ${flag(p, 'all-namespaces') ? 'all namespaces' : `namespace: ${last(p, 'namespace') ?? 'default'}`}.\n`);
  if (format === 'log' && messages.some((m) => RANK[m.level] >= RANK[threshold])) {
    throw new CliError(`Analyzers found issues when analyzing ${flag(p, 'all-namespaces') ? 'all namespaces' : `namespace: ${last(p, 'namespace') ?? 'default'}`}.\nSee https://istio.io/v${minor}/docs/reference/config/analysis for more information about causes and resolutions.`, EXIT_ANALYZER_FOUND_ISSUES);
  }
}
