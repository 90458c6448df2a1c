declare const __TOOL_VERSION__: string | undefined;

/** Injected by the bundler; the dev fallback keeps tests that import sources working. */
export const TOOL_VERSION: string = typeof __TOOL_VERSION__ === 'string' ? __TOOL_VERSION__ : '0.0.0-dev';
