/** What a command implementation gets from main: buffered output, the environment, and the fault hook. */
export interface AfterApplyHooks {
  /** Record the failure (e.g. mark the new Helm revision failed); `message` is the rule's stderr without "Error: …:". */
  onFail?: (message: string) => Promise<void>;
}

export interface Runtime {
  tool: 'helm' | 'istioctl';
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** On SIGTERM run this, then exit 1 (Helm install/upgrade cancel their context and mark the release failed). */
  onCancel(handler: () => Promise<void>): void;
  /** State-changing commands call this once the cluster has changed, before recording success. */
  afterApply(hooks?: AfterApplyHooks): Promise<void>;
}
