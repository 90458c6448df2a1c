import { Argument, Command, CommanderError } from 'commander';
import { ExitCode, UserError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { addClusterOptions, addConnectionOptions, addNamespaceOption, addOutputOptions, addPlanningOptions, DEFAULTS, HELP_GROUPS } from './options.js';
import { addApplyOptions, addRunOptions } from './apply-options.js';
import { examplesHelp, exitCodesHelp } from './help.js';
import { terminalWidth } from '../report/text/width.js';
import { PLAN_FORMATS } from '../report/formats.js';

// Command modules are imported only when their command runs, so `--help` and `--version`
// never load client-node or the planner.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Action<O> = (opts: O, ...positional: any[]) => Promise<number>;
const lazy =
  <O>(load: () => Promise<Action<O>>) =>
  async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    process.exitCode = await (await load())(cmd.optsWithGlobals() as O, ...positional);
  };

// Like kubectl and helm, -v is left for log verbosity; someone typing it for the version is told where it is.
const VERSION_HINT = (s: string) => (/unknown option '-v'/.test(s) ? '  the version is -V, --version or `istio-upgrade version`\n' : '');

export function buildProgram(): Command {
  const width = () => terminalWidth();
  const output = {
    writeErr: (s: string) => process.stderr.write(s.startsWith('error:') ? `istio-upgrade: ${s}${VERSION_HINT(s)}` : s),
    getOutHelpWidth: width,
    getErrHelpWidth: width,
  };
  const program = new Command('istio-upgrade')
    .description('Plan and execute Istio service-mesh upgrades on Kubernetes.')
    .version(TOOL_VERSION, '-V, --version', 'print the version and exit (`version` prints more)')
    .option('--debug', 'print stack traces for errors')
    .showSuggestionAfterError(true)
    // Wrap descriptions even on narrow terminals (commander stops wrapping below 40 columns of description).
    .configureHelp({ minWidthToWrap: 20 })
    .exitOverride()
    .configureOutput(output);

  addOutputOptions(addClusterOptions(program.command('status').description('summarise the mesh: revisions, tags, components, proxies, Helm releases, findings'), true)).action(
    lazy(async () => (await import('./commands/status.js')).statusCommand),
  );

  addOutputOptions(addPlanningOptions(addClusterOptions(program.command('plan').description('read the mesh and print the ordered, typed steps that upgrade it to --to'), true)), PLAN_FORMATS)
    .option('--cluster-order <names>', 'multi-cluster: comma-separated order of the primary clusters (default: fewest mesh pods first)')
    .option('--out <file>', 'write the plan file that apply executes (with a digest of its content)')
    .option('--sign-key <file>', 'sign the --out plan with this ed25519 private key (PEM); apply --verify-key checks it')
    .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when the plan has changes, 3 when blocked (errors 1, usage errors 64)')
    .action(lazy(async () => (await import('./commands/plan.js')).planCommand));

  addOutputOptions(addNamespaceOption(addConnectionOptions(program.command('snapshot').description('save what the inventory reads, for offline planning and change tickets (stdout unless --out)'))), ['yaml', 'json'])
    .option('--out <file>', 'file to write (JSON for a .json name, else the -o format); - or no --out is stdout')
    .action(lazy(async () => (await import('./commands/snapshot.js')).snapshotCommand));

  const runNamespace = 'namespace of the Istio control plane (holds the lock and the run records)';
  addApplyOptions(
    addPlanningOptions(
      addNamespaceOption(
        addConnectionOptions(
          program
            .command('apply')
            .argument('[plan]', 'plan file written by plan --out')
            .description('execute a reviewed plan: step by step, verified, checkpointed, rolled back on failure; or plan and apply with --to'),
        ),
        runNamespace,
      ),
    ),
  ).action(lazy(async () => (await import('./commands/apply.js')).applyCommand));

  addRunOptions(
    addNamespaceOption(
      addConnectionOptions(program.command('rollback').argument('[run-id]', 'run to unwind (default: the newest run)').description('undo a run as a plan: tags and labels back, workloads restarted onto the old revision, then the rest newest first')),
      runNamespace,
    ),
  )
    .optionsGroup(HELP_GROUPS.execution)
    .option('--to-step <id>', 'unwind down to and including this step')
    .option('--dry-run', 'print the rollback plan (after the superseded-run and drift checks) and change nothing')
    .option('-y, --yes', 'run the rollback plan without asking (required without a terminal)')
    .option('--plan <file>', 'the plan file the run executed: needed to trust a run recorded only in the cluster')
    .option('--trust-cluster-record', 'on a terminal: show a run recorded only in the cluster and, once confirmed, roll it back without its plan file')
    .action(lazy(async () => (await import('./commands/rollback.js')).rollbackCommand));

  addRunOptions(addClusterOptions(program.command('cleanup').description('plan and run the removal of every revision nothing uses (no tag, namespace, pod, gateway or waypoint); defaultRevision/validator moved first')))
    .optionsGroup(HELP_GROUPS.execution)
    .option('--chart-repo <repo>', "where the base chart comes from when defaultRevision moves: a Helm repository URL, an oci:// prefix, a local chart directory or an alias; default Istio's repository", DEFAULTS.chartRepo)
    .option('--out <file>', 'save the cleanup plan (with its digest) instead of running it; istio-upgrade apply FILE runs it')
    .option('--dry-run', 'print the cleanup plan and change nothing')
    .option('-y, --yes', 'run the removals without a typed confirmation each (required without a terminal)')
    .option('--allow-any-cluster', 'run a plan whose input recorded no cluster identity')
    .option('--detailed-exitcode', 'exit 0 when nothing is unused, 2 when there are revisions to remove, 3 when blocked')
    .action(lazy(async () => (await import('./commands/cleanup.js')).cleanupCommand));

  addOutputOptions(addNamespaceOption(addConnectionOptions(program.command('history').description('list past apply runs recorded in the cluster, newest first')))).action(
    lazy(async () => (await import('./commands/history.js')).historyCommand),
  );

  addNamespaceOption(addConnectionOptions(program.command('force-unlock').argument('<lock-id>', 'id printed by the refused apply').description('delete the upgrade lock of a run that is gone (only if the lock id matches)'))).action(
    lazy(async () => (await import('./commands/force-unlock.js')).forceUnlockCommand),
  );

  program
    .command('completion')
    .description('print a shell completion script (commands, flags, choices, kubeconfig contexts, run ids)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      process.exitCode = await (await import('./commands/completion.js')).completionCommand(program, shell);
    });

  addOutputOptions(program.command('version').description('print the version of the tool, of its release catalog and of Node')).action(
    lazy(async () => (await import('./commands/version.js')).versionCommand),
  );

  // Called by the completion scripts on Tab; not for people.
  program
    .command('__complete', { hidden: true })
    .addArgument(new Argument('<source>').choices(['contexts', 'runs']))
    .option('--kubeconfig <file>')
    .option('--state-dir <dir>')
    .action(lazy(async () => (await import('./commands/complete-values.js')).completeValuesCommand));

  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput(output);
    cmd.addHelpText('after', () => examplesHelp(cmd.name(), width()));
  }
  program.addHelpText('after', () => examplesHelp(program.name(), width())).addHelpText('afterAll', () => exitCodesHelp(width()));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  try {
    const program = buildProgram();
    // As kubectl does: no arguments at all is a request for help, printed to stdout, exit 0.
    if (argv.length <= 2) program.outputHelp();
    else await program.parseAsync(argv);
  } catch (e) {
    // Exit now: requests still retrying in the background must not hold the process open.
    process.exit(reportError(e, debug));
  }
}

/**
 * An error nobody anticipated is a bug: say so, and say what a useful report contains. With --debug the stack
 * comes first; its frames point into src/ because bin.ts enabled the source maps.
 */
function internalErrorReport(e: unknown, debug: boolean, args: string[]): string {
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  const lines = [`istio-upgrade: internal error: ${message}`];
  if (debug && e instanceof Error && e.stack) lines.push(e.stack);
  lines.push(
    'This is a bug in istio-upgrade, not a problem with your cluster or input. Please report it with:',
    `  - the version: istio-upgrade ${TOOL_VERSION} (Node ${process.version}, ${process.platform}/${process.arch})`,
    `  - the command: istio-upgrade ${args.join(' ')}`,
    debug ? '  - the output above (the stack trace with source locations)' : '  - the output of the same command with --debug added (a stack trace with source locations)',
  );
  return `${lines.join('\n')}\n`;
}

function reportError(e: unknown, debug: boolean): number {
  if (e instanceof CommanderError) {
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code)) return ExitCode.ok;
    return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage; // commander already printed the message
  }
  if (e instanceof UserError) {
    process.stderr.write(`istio-upgrade: error: ${e.message}\n`);
    if (e.hint) process.stderr.write(`  ${e.hint}\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  process.stderr.write(internalErrorReport(e, debug, process.argv.slice(2)));
  return ExitCode.error;
}

await main(process.argv);
