import { describe, expect, it } from 'vitest';
import { analyzeArgs, describeComparison, parseAnalyzeOutput, runAnalyze, type AnalyzeRunner } from '../../src/apply/analyze-check.js';

const ist0101 = { code: 'IST0101', level: 'Error', origin: 'VirtualService reviews.shop', message: 'Referenced host not found: "reviews-v3"', documentationUrl: 'https://istio.io/v1.24/docs/reference/config/analysis/ist0101/' };
const ist0102 = { code: 'IST0102', level: 'Info', origin: 'Namespace scratch', message: 'The namespace is not enabled for Istio injection.' };
const ist0162 = { code: 'IST0162', level: 'Warning', origin: 'Gateway ingress.istio-ingress', message: 'The gateway is listening on a target port (port 80) that is not defined in the Service associated with its workload instances.' };

/** Answers like istioctl: JSON on stdout, exit 79 when a message reaches the Error threshold. */
function istioctl(messages: object[] | string, opts: { available?: boolean; exitCode?: number; stderr?: string } = {}): AnalyzeRunner & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    available: async () => opts.available ?? true,
    run: async (args) => {
      calls.push(args);
      const stdout = typeof messages === 'string' ? messages : JSON.stringify(messages);
      const exitCode = opts.exitCode ?? (typeof messages !== 'string' && messages.some((m) => (m as { level: string }).level === 'Error') ? 79 : 0);
      return { exitCode, stdout, stderr: opts.stderr ?? '' };
    },
  };
}

describe('istioctl analyze before and after a run (issue 9)', () => {
  it('analyzes every namespace as JSON, against the revision named (none for the revision-less control plane)', async () => {
    expect(analyzeArgs('1-24-6', 'istio-system')).toEqual(['analyze', '--all-namespaces', '--output', 'json', '--istioNamespace', 'istio-system', '--revision', '1-24-6']);
    expect(analyzeArgs('default', 'istio-system')).not.toContain('--revision');
    const r = istioctl([ist0101]);
    expect(await runAnalyze(r, '1-23-6', 'istio-system')).toEqual({ status: 'ran', messages: [ist0101] });
    expect(r.calls).toHaveLength(1);
  });

  it('exit 79 (issues found) still reads the messages; other exits and unreadable output are failures, not findings', async () => {
    expect((await runAnalyze(istioctl([ist0101, ist0102]), null, 'istio-system')).status).toBe('ran');
    expect(await runAnalyze(istioctl('', { exitCode: 1, stderr: 'Error: failed to create Kubernetes client: context deadline exceeded\n' }), null, 'istio-system')).toEqual({
      status: 'failed',
      reason: 'istioctl analyze exited 1: Error: failed to create Kubernetes client: context deadline exceeded',
    });
    expect(parseAnalyzeOutput('✔ No validation issues found')).toMatch(/other than JSON/);
    expect(parseAnalyzeOutput('[{"code":"IST0101"}]')).toMatch(/unexpected shape \(0\.level/);
    expect(parseAnalyzeOutput('')).toEqual([]);
  });

  it('is skipped, never run, when istioctl is absent', async () => {
    const r = istioctl([ist0101], { available: false });
    const skipped = await runAnalyze(r, null, 'istio-system');
    expect(skipped).toEqual({ status: 'skipped', reason: 'istioctl not found' });
    expect(r.calls).toEqual([]);
    expect(describeComparison(skipped, skipped)).toEqual(['istioctl analyze: skipped: istioctl not found']);
  });

  it('reports what the run introduced and resolved', async () => {
    const before = await runAnalyze(istioctl([ist0101, ist0102]), '1-23-6', 'istio-system');
    const after = await runAnalyze(istioctl([ist0102, ist0162]), '1-24-6', 'istio-system');
    expect(describeComparison(before, after)).toEqual([
      'istioctl analyze: 1 new message(s), 1 resolved, 1 unchanged',
      'new: Warning [IST0162] (Gateway ingress.istio-ingress) The gateway is listening on a target port (port 80) that is not defined in the Service associated with its workload instances.',
      'resolved: Error [IST0101] (VirtualService reviews.shop) Referenced host not found: "reviews-v3"',
    ]);
    expect(describeComparison(after, after)).toEqual(['istioctl analyze: no change (2 message(s) before and after)']);
    const skipped = await runAnalyze(istioctl([], { available: false }), null, 'istio-system');
    expect(describeComparison(skipped, after)).toEqual([
      'istioctl analyze before: skipped: istioctl not found',
      'after: Warning [IST0162] (Gateway ingress.istio-ingress) The gateway is listening on a target port (port 80) that is not defined in the Service associated with its workload instances.',
    ]);
  });
});
