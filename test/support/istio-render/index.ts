/**
 * Test-support renderer: plain Kubernetes objects shaped the way Istio's charts, istioctl, the operators and the
 * Kubernetes controllers leave them in a cluster. Pure and deterministic (uids and hashes derive from names).
 */
export * from './meta.js';
export * from './installer.js';
export * from './workloads.js';
export * from './cluster.js';
export * from './crds.js';
export * from './istiod.js';
export * from './dataplane.js';
export * from './helm.js';
export * from './operators.js';
export * from './manifest.js';
export * from './builder.js';
export * from './gzip.js';
export * from './multicluster.js';
