import { wrapCommand, wrapText } from '../report/text/width.js';

/**
 * The Examples section of each command's --help, kubectl style: a comment saying what the line is for, then the
 * line. Kept beside each other here so the help reads as one guide.
 */
export const EXAMPLES: Record<string, [comment: string, line: string][]> = {
  'istio-upgrade': [
    ['See what is installed', 'istio-upgrade status'],
    ['Plan an upgrade to the newest known 1.24 patch and save it for review', 'istio-upgrade plan --to 1.24 --out plan.json'],
    ['Show what the reviewed plan would run, changing nothing', 'istio-upgrade apply plan.json --dry-run'],
    ['Execute it', 'istio-upgrade apply plan.json'],
  ],
  status: [
    ['Summarise the mesh of the current kubeconfig context', 'istio-upgrade status'],
    ['The Inventory document, for scripts (schema: docs/schemas/inventory.schema.json)', 'istio-upgrade status --context prod -o json'],
    ['Read a snapshot instead of a cluster', 'istio-upgrade status --snapshot cluster.yaml'],
  ],
  plan: [
    ['Plan an upgrade to the newest known 1.24 patch and write the plan file apply executes', 'istio-upgrade plan --to 1.24 --out plan.json'],
    ['A change-ticket report from a snapshot, without cluster access', 'istio-upgrade plan --snapshot cluster.yaml --to 1.24 -o markdown > CHANGE-1234.md'],
    ['In CI: exit 0 when up to date, 2 when there is something to apply, 3 when blocked', 'istio-upgrade plan --to latest --detailed-exitcode --out plan.json'],
    ['One minor per hop, and remove the old revision at the end', 'istio-upgrade plan --to 1.26 --max-minor-jump 1 --include-cleanup'],
    ['Helm values on top of what the releases have (the plan records keys and sha256, not values)', 'istio-upgrade plan --to 1.24 --set istiod:pilot.resources.requests.memory=4Gi --values gateway/istio-ingress=gw.yaml --out plan.json'],
  ],
  snapshot: [
    ['Save what status and plan read, Helm values redacted, to attach to a ticket', 'istio-upgrade snapshot --out cluster.yaml'],
    ['Write it to stdout as JSON', 'istio-upgrade snapshot --context prod -o json > prod.json'],
  ],
  apply: [
    ['Show exactly what each step of a reviewed plan would run, changing nothing', 'istio-upgrade apply plan.json --dry-run'],
    ['Execute the reviewed plan, with NDJSON step events for the CI system', 'istio-upgrade apply plan.json --events events.ndjson'],
    ['Plan and apply in one go (asks on a terminal; needs --yes where it cannot ask)', 'istio-upgrade apply --to 1.24'],
    ['Continue an interrupted run', 'istio-upgrade apply plan.json --resume <run-id>'],
    ['A plan made with --set: give the same overrides again (it re-reads --values files itself)', 'istio-upgrade apply plan.json --set istiod:pilot.resources.requests.memory=4Gi --values gateway/istio-ingress=gw.yaml'],
  ],
  rollback: [
    ['Unwind the completed reversible steps of the newest run', 'istio-upgrade rollback'],
    ['Unwind a given run down to and including one step', 'istio-upgrade rollback <run-id> --to-step h1-istiod-install'],
  ],
  cleanup: [
    ['Show which revisions nothing uses and how they would be removed, changing nothing', 'istio-upgrade cleanup --dry-run'],
    ['Save the cleanup plan for review, then run it', 'istio-upgrade cleanup --out cleanup.json && istio-upgrade apply cleanup.json'],
    ['Remove them now (each removal confirmed on a terminal; --yes in CI)', 'istio-upgrade cleanup --yes'],
  ],
  history: [
    ['Past runs recorded in the cluster, newest first, one row per attempt', 'istio-upgrade history --context prod'],
    ['The same as YAML', 'istio-upgrade history -o yaml'],
  ],
  'force-unlock': [['Clear the lock of a run that is gone, with the id the refused apply printed', 'istio-upgrade force-unlock <lock-id>']],
  completion: [
    ['bash, in the current shell (add the line to ~/.bashrc to keep it)', 'source <(istio-upgrade completion bash)'],
    ['zsh', 'istio-upgrade completion zsh > "${fpath[1]}/_istio-upgrade"'],
    ['fish', 'istio-upgrade completion fish > ~/.config/fish/completions/istio-upgrade.fish'],
  ],
  version: [
    ['The version of the tool and of its release catalog', 'istio-upgrade version'],
    ['The same as JSON', 'istio-upgrade version -o json'],
  ],
};

export function examplesHelp(command: string, width: number): string {
  const examples = EXAMPLES[command];
  if (!examples) return '';
  const one = ([comment, line]: [string, string]) => [...wrapText(comment, width, '  # '), ...wrapCommand(line.split(' '), width, '  ')].join('\n');
  return `\nExamples:\n${examples.map(one).join('\n\n')}`;
}

const EXIT_CODES: [code: number, meaning: string][] = [
  [0, 'success; nothing to do; plan produced'],
  [1, 'error (cluster unreachable, permission denied, bad file); before any change for apply/rollback'],
  [2, 'plan --detailed-exitcode only: the plan has changes'],
  [3, 'blocked: a blocked plan, a precondition failed, stale plan, wrong cluster, lock held, a confirmation refused'],
  [4, 'a step failed and was rolled back cleanly'],
  [5, 'a step failed and its rollback failed, or the state is unknown (the next commands are printed)'],
  [64, 'usage error (unknown flag, bad value, missing argument)'],
  [129, 'SIGHUP: stopped at a checkpoint, lock released (resume and rollback commands printed)'],
  [130, 'Ctrl-C / SIGTERM: stopped at a checkpoint (or at a prompt: nothing changed), lock released'],
];

/** Shown under every command's --help; the README's table says the same. */
export function exitCodesHelp(width: number): string {
  const lines = EXIT_CODES.flatMap(([code, meaning]) => wrapText(meaning, width, `  ${String(code).padEnd(5)}`, ' '.repeat(7)));
  return `\nExit codes:\n${lines.join('\n')}`;
}
