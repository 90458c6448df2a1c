// Compatibility profiles as DATA, recorded by hand (no generator exists): the content of
// manifests/helm-profiles/compatibility-version-<X>.yaml in istio/istio, flattened to dotted value paths, read at
// the ref of each minor listed in COMPATIBILITY_PROFILE_REFS (istio/istio snapshot HEAD 86c9f01, 2026-08-22;
// 1.31 from branch release-1.31, which had no 1.31.0 tag in that snapshot). Re-check a profile against its ref
// before changing a value. Paths are chart-local exactly as written in the profile files (the 1.28/1.29-era
// profiles use `cni.ambient.*` while older ones use `ambient.*`; see README "unconfirmed").
import type { CompatibilityProfile } from './schema.js';

export const COMPATIBILITY_PROFILE_REFS: Readonly<Record<string, string>> = {
  "1.21": "1.21.6",
  "1.22": "1.22.8",
  "1.23": "1.23.6",
  "1.24": "1.24.6",
  "1.25": "1.25.5",
  "1.26": "1.26.8",
  "1.27": "1.27.9",
  "1.28": "1.28.10",
  "1.29": "1.29.6",
  "1.30": "1.30.3",
  "1.31": "release-1.31"
};

export const COMPATIBILITY_PROFILES: Readonly<Record<string, Readonly<Record<string, CompatibilityProfile>>>> = {
  '1.21': {
    '1.20': {
      summary: 'Restore Istio 1.20 default behaviour on 1.21 (4 settings)',
      flags: {
        'pilot.env.ENABLE_EXTERNAL_NAME_ALIAS': "false",
        'pilot.env.PERSIST_OLDEST_FIRST_HEURISTIC_FOR_VIRTUAL_SERVICE_HOST_MATCHING': "true",
        'pilot.env.VERIFY_CERTIFICATE_AT_CLIENT': "false",
        'pilot.env.ENABLE_AUTO_SNI': "false",
      },
    },
  },
  '1.22': {
    '1.20': {
      summary: 'Restore Istio 1.20 default behaviour on 1.22 (8 settings)',
      flags: {
        'pilot.env.ENABLE_EXTERNAL_NAME_ALIAS': "false",
        'pilot.env.PERSIST_OLDEST_FIRST_HEURISTIC_FOR_VIRTUAL_SERVICE_HOST_MATCHING': "true",
        'pilot.env.VERIFY_CERTIFICATE_AT_CLIENT': "false",
        'pilot.env.ENABLE_AUTO_SNI': "false",
        'pilot.env.ENABLE_ENHANCED_RESOURCE_SCOPING': "false",
        'pilot.env.ENABLE_RESOLUTION_NONE_TARGET_PORT': "false",
        'meshConfig.defaultConfig.proxyMetadata.ISTIO_DELTA_XDS': "false",
        'meshConfig.defaultConfig.tracing.zipkin.address': "zipkin.istio-system:9411",
      },
    },
    '1.21': {
      summary: 'Restore Istio 1.21 default behaviour on 1.22 (4 settings)',
      flags: {
        'pilot.env.ENABLE_ENHANCED_RESOURCE_SCOPING': "false",
        'pilot.env.ENABLE_RESOLUTION_NONE_TARGET_PORT': "false",
        'meshConfig.defaultConfig.proxyMetadata.ISTIO_DELTA_XDS': "false",
        'meshConfig.defaultConfig.tracing.zipkin.address': "zipkin.istio-system:9411",
      },
    },
  },
  '1.23': {
    '1.20': {
      summary: 'Restore Istio 1.20 default behaviour on 1.23 (9 settings)',
      flags: {
        'pilot.env.ENABLE_EXTERNAL_NAME_ALIAS': "false",
        'pilot.env.PERSIST_OLDEST_FIRST_HEURISTIC_FOR_VIRTUAL_SERVICE_HOST_MATCHING': "true",
        'pilot.env.VERIFY_CERTIFICATE_AT_CLIENT': "false",
        'pilot.env.ENABLE_AUTO_SNI': "false",
        'pilot.env.ENABLE_ENHANCED_RESOURCE_SCOPING': "false",
        'pilot.env.ENABLE_RESOLUTION_NONE_TARGET_PORT': "false",
        'meshConfig.defaultConfig.proxyMetadata.ISTIO_DELTA_XDS': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'meshConfig.defaultConfig.tracing.zipkin.address': "zipkin.istio-system:9411",
      },
    },
    '1.21': {
      summary: 'Restore Istio 1.21 default behaviour on 1.23 (6 settings)',
      flags: {
        'pilot.env.ENABLE_ENHANCED_RESOURCE_SCOPING': "false",
        'pilot.env.ENABLE_RESOLUTION_NONE_TARGET_PORT': "false",
        'pilot.env.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'meshConfig.defaultConfig.proxyMetadata.ISTIO_DELTA_XDS': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'meshConfig.defaultConfig.tracing.zipkin.address': "zipkin.istio-system:9411",
      },
    },
    '1.22': {
      summary: 'Restore Istio 1.22 default behaviour on 1.23 (3 settings)',
      flags: {
        'pilot.env.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_CLUSTER_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
      },
    },
  },
  '1.24': {
    '1.21': {
      summary: 'Restore Istio 1.21 default behaviour on 1.24 (13 settings)',
      flags: {
        'pilot.env.ENABLE_ENHANCED_RESOURCE_SCOPING': "false",
        'pilot.env.ENABLE_RESOLUTION_NONE_TARGET_PORT': "false",
        'pilot.env.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'pilot.env.ENABLE_INBOUND_RETRY_POLICY': "false",
        'pilot.env.EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY': "false",
        'pilot.env.PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES': "false",
        'pilot.env.ENABLE_ENHANCED_DESTINATIONRULE_MERGE': "false",
        'pilot.env.PILOT_UNIFIED_SIDECAR_SCOPE': "false",
        'meshConfig.defaultConfig.proxyMetadata.ISTIO_DELTA_XDS': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_STATS_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.BYPASS_OVERLOAD_MANAGER_FOR_STATIC_LISTENERS': "false",
        'meshConfig.defaultConfig.tracing.zipkin.address': "zipkin.istio-system:9411",
      },
    },
    '1.22': {
      summary: 'Restore Istio 1.22 default behaviour on 1.24 (10 settings)',
      flags: {
        'pilot.env.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'pilot.env.ENABLE_INBOUND_RETRY_POLICY': "false",
        'pilot.env.EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY': "false",
        'pilot.env.PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES': "false",
        'pilot.env.ENABLE_ENHANCED_DESTINATIONRULE_MERGE': "false",
        'pilot.env.PILOT_UNIFIED_SIDECAR_SCOPE': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_CLUSTER_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_STATS_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.BYPASS_OVERLOAD_MANAGER_FOR_STATIC_LISTENERS': "false",
      },
    },
    '1.23': {
      summary: 'Restore Istio 1.23 default behaviour on 1.24 (7 settings)',
      flags: {
        'pilot.env.ENABLE_INBOUND_RETRY_POLICY': "false",
        'pilot.env.EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY': "false",
        'pilot.env.PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES': "false",
        'pilot.env.ENABLE_ENHANCED_DESTINATIONRULE_MERGE': "false",
        'pilot.env.PILOT_UNIFIED_SIDECAR_SCOPE': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_STATS_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.BYPASS_OVERLOAD_MANAGER_FOR_STATIC_LISTENERS': "false",
      },
    },
  },
  '1.25': {
    '1.22': {
      summary: 'Restore Istio 1.22 default behaviour on 1.25 (11 settings)',
      flags: {
        'pilot.env.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'pilot.env.ENABLE_INBOUND_RETRY_POLICY': "false",
        'pilot.env.EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY': "false",
        'pilot.env.PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES': "false",
        'pilot.env.ENABLE_ENHANCED_DESTINATIONRULE_MERGE': "false",
        'pilot.env.PILOT_UNIFIED_SIDECAR_SCOPE': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_CLUSTER_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DELIMITED_STATS_TAG_REGEX': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_STATS_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.BYPASS_OVERLOAD_MANAGER_FOR_STATIC_LISTENERS': "false",
        'ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.23': {
      summary: 'Restore Istio 1.23 default behaviour on 1.25 (8 settings)',
      flags: {
        'pilot.env.ENABLE_INBOUND_RETRY_POLICY': "false",
        'pilot.env.EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY': "false",
        'pilot.env.PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES': "false",
        'pilot.env.ENABLE_ENHANCED_DESTINATIONRULE_MERGE': "false",
        'pilot.env.PILOT_UNIFIED_SIDECAR_SCOPE': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_STATS_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.BYPASS_OVERLOAD_MANAGER_FOR_STATIC_LISTENERS': "false",
        'ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.24': {
      summary: 'Restore Istio 1.24 default behaviour on 1.25 (3 settings)',
      flags: {
        'pilot.env.PILOT_ENABLE_IP_AUTOALLOCATE': "false",
        'ambient.dnsCapture': false,
        'ambient.reconcileIptablesOnStartup': false,
      },
    },
  },
  '1.26': {
    '1.23': {
      summary: 'Restore Istio 1.23 default behaviour on 1.26 (9 settings)',
      flags: {
        'pilot.env.ENABLE_INBOUND_RETRY_POLICY': "false",
        'pilot.env.EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY': "false",
        'pilot.env.PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES': "false",
        'pilot.env.ENABLE_ENHANCED_DESTINATIONRULE_MERGE': "false",
        'pilot.env.PILOT_UNIFIED_SIDECAR_SCOPE': "false",
        'meshConfig.defaultConfig.proxyMetadata.ENABLE_DEFERRED_STATS_CREATION': "false",
        'meshConfig.defaultConfig.proxyMetadata.BYPASS_OVERLOAD_MANAGER_FOR_STATIC_LISTENERS': "false",
        'ambient.reconcileIptablesOnStartup': false,
        'ambient.shareHostNetworkNamespace': true,
      },
    },
    '1.24': {
      summary: 'Restore Istio 1.24 default behaviour on 1.26 (4 settings)',
      flags: {
        'pilot.env.PILOT_ENABLE_IP_AUTOALLOCATE': "false",
        'ambient.dnsCapture': false,
        'ambient.reconcileIptablesOnStartup': false,
        'ambient.shareHostNetworkNamespace': true,
      },
    },
    '1.25': {
      summary: 'Restore Istio 1.25 default behaviour on 1.26 (1 setting)',
      flags: {
        'ambient.shareHostNetworkNamespace': true,
      },
    },
  },
  '1.27': {
    '1.24': {
      summary: 'Restore Istio 1.24 default behaviour on 1.27 (5 settings)',
      flags: {
        'pilot.env.PILOT_ENABLE_IP_AUTOALLOCATE': "false",
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'ambient.dnsCapture': false,
        'ambient.reconcileIptablesOnStartup': false,
        'ambient.shareHostNetworkNamespace': true,
      },
    },
    '1.25': {
      summary: 'Restore Istio 1.25 default behaviour on 1.27 (2 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'ambient.shareHostNetworkNamespace': true,
      },
    },
    '1.26': {
      summary: 'Restore Istio 1.26 default behaviour on 1.27 (1 setting)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
      },
    },
  },
  '1.28': {
    '1.25': {
      summary: 'Restore Istio 1.25 default behaviour on 1.28 (4 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'ambient.shareHostNetworkNamespace': true,
      },
    },
    '1.26': {
      summary: 'Restore Istio 1.26 default behaviour on 1.28 (3 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
      },
    },
    '1.27': {
      summary: 'Restore Istio 1.27 default behaviour on 1.28 (2 settings)',
      flags: {
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
      },
    },
  },
  '1.29': {
    '1.25': {
      summary: 'Restore Istio 1.25 default behaviour on 1.29 (6 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
        'ambient.shareHostNetworkNamespace': true,
      },
    },
    '1.26': {
      summary: 'Restore Istio 1.26 default behaviour on 1.29 (5 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.27': {
      summary: 'Restore Istio 1.27 default behaviour on 1.29 (4 settings)',
      flags: {
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.28': {
      summary: 'Restore Istio 1.28 default behaviour on 1.29 (2 settings)',
      flags: {
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
  },
  '1.30': {
    '1.25': {
      summary: 'Restore Istio 1.25 default behaviour on 1.30 (7 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
        'ambient.shareHostNetworkNamespace': true,
      },
    },
    '1.26': {
      summary: 'Restore Istio 1.26 default behaviour on 1.30 (6 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.27': {
      summary: 'Restore Istio 1.27 default behaviour on 1.30 (5 settings)',
      flags: {
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.28': {
      summary: 'Restore Istio 1.28 default behaviour on 1.30 (3 settings)',
      flags: {
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.29': {
      summary: 'Restore Istio 1.29 default behaviour on 1.30 (1 setting)',
      flags: {
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
      },
    },
  },
  '1.31': {
    '1.25': {
      summary: 'Restore Istio 1.25 default behaviour on 1.31 (9 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'pilot.env.PILOT_ENABLE_STRICT_GATEWAY_MERGING': "false",
        'pilot.env.PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
        'ambient.shareHostNetworkNamespace': true,
      },
    },
    '1.26': {
      summary: 'Restore Istio 1.26 default behaviour on 1.31 (8 settings)',
      flags: {
        'pilot.env.ENABLE_NATIVE_SIDECARS': "false",
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'pilot.env.PILOT_ENABLE_STRICT_GATEWAY_MERGING': "false",
        'pilot.env.PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.27': {
      summary: 'Restore Istio 1.27 default behaviour on 1.31 (7 settings)',
      flags: {
        'pilot.env.DISABLE_SHADOW_HOST_SUFFIX': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'pilot.env.PILOT_ENABLE_STRICT_GATEWAY_MERGING': "false",
        'pilot.env.PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.28': {
      summary: 'Restore Istio 1.28 default behaviour on 1.31 (5 settings)',
      flags: {
        'pilot.env.DISABLE_TRACK_REMAINING_CB_METRICS': "false",
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'pilot.env.PILOT_ENABLE_STRICT_GATEWAY_MERGING': "false",
        'pilot.env.PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS': "false",
        'cni.ambient.reconcileIptablesOnStartup': false,
      },
    },
    '1.29': {
      summary: 'Restore Istio 1.29 default behaviour on 1.31 (3 settings)',
      flags: {
        'pilot.env.PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE': "false",
        'pilot.env.PILOT_ENABLE_STRICT_GATEWAY_MERGING': "false",
        'pilot.env.PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS': "false",
      },
    },
    '1.30': {
      summary: 'Restore Istio 1.30 default behaviour on 1.31 (3 settings)',
      flags: {
        'pilot.env.PILOT_ENABLE_STRICT_GATEWAY_MERGING': "false",
        'pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY': "false",
        'pilot.env.PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS': "false",
      },
    },
  },
};
