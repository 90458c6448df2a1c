/** Names the Gateway API project gives its CRDs' release marks and its own admission policy (kubernetes-sigs/gateway-api). */

export const BUNDLE_VERSION_ANNOTATION = 'gateway.networking.k8s.io/bundle-version';
export const CHANNEL_ANNOTATION = 'gateway.networking.k8s.io/channel';
/** Shipped from v1.5.0; it refuses a downgrade below 1.5 (the v1.5.0 release notes: delete it first to go back). */
export const SAFE_UPGRADES_POLICY = 'safe-upgrades.gateway.networking.k8s.io';
