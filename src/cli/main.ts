import { Command, CommanderError } from 'commander';
import { ExitCode, UserError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { addClusterOptions, addOutputOptions, addPlanningOptions } from './options.js';
import { addApplyOptions, addConnectionOptions, addNamespaceOption, addRunOptions } from './apply-options.js';

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

/** Shown under every command's --help; the README's table says the same. */
export const EXIT_CODES_HELP = `
Exit codes:
  0    success; nothing to do; plan produced
  1    error (cluster unreachable, permission denied, bad file); before any change for apply/rollback
  2    plan --detailed-exitcode only: the plan has changes
  3    blocked: a blocked plan, a precondition failed, stale plan, wrong cluster, lock held,
       a confirmation refused
  4    a step failed and was rolled back cleanly
  5    a step failed and its rollback failed, or the state is unknown (the next commands are printed)
  64   usage error (unknown flag, bad value, missing argument)
  129  SIGHUP: stopped at a checkpoint, lock released (resume and rollback commands printed)
  130  Ctrl-C / SIGTERM: stopped at a checkpoint (or at a prompt: nothing changed), lock released
`;

export function buildProgram(): Command {
  const program = new Command('istio-upgrade')
    .description('Plan and execute Istio service-mesh upgrades on Kubernetes.')
    .version(TOOL_VERSION, '-v, --version')
    .option('--debug', 'print stack traces for errors')
    .showSuggestionAfterError(true)
    .addHelpText('afterAll', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `istio-upgrade: ${s}` : s),
    });

  addOutputOptions(addClusterOptions(program.command('status').description('summarise the mesh: revisions, tags, components, proxies, Helm releases, findings')), ['text', 'json', 'yaml']).action(
    lazy(async () => (await import('./commands/status.js')).statusCommand),
  );

  addPlanningOptions(
    addOutputOptions(addClusterOptions(program.command('plan').description('read the mesh and print the ordered, typed steps that upgrade it to --to')), ['text', 'json', 'yaml', 'markdown']),
  )
    .option('--out <file>', 'write the plan file that apply executes')
    .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when the plan has changes, 3 when blocked (errors 1, usage errors 64)')
    .action(lazy(async () => (await import('./commands/plan.js')).planCommand));

  addClusterOptions(program.command('snapshot').description('save what the inventory reads to a file, for offline planning and change tickets'))
    .option('--out <file>', 'file to write (.yaml or .json)')
    .action(lazy(async () => (await import('./commands/snapshot.js')).snapshotCommand));

  addPlanningOptions(
    addNamespaceOption(
      addApplyOptions(
        program
          .command('apply')
          .argument('[plan]', 'plan file written by plan --out')
          .description('execute a reviewed plan: step by step, verified, checkpointed, rolled back on failure; or plan and apply with --to'),
      ),
    ),
  ).action(lazy(async () => (await import('./commands/apply.js')).applyCommand));

  addNamespaceOption(addRunOptions(program.command('rollback').argument('[run-id]', 'run to unwind (default: the newest run)').description('undo the completed reversible steps of a run, newest first')))
    .option('--to-step <id>', 'unwind down to and including this step')
    .action(lazy(async () => (await import('./commands/rollback.js')).rollbackCommand));

  addOutputOptions(addNamespaceOption(addConnectionOptions(program.command('history').description('list past apply runs recorded in the cluster, newest first'))), ['text', 'json']).action(
    lazy(async () => (await import('./commands/history.js')).historyCommand),
  );

  addNamespaceOption(addConnectionOptions(program.command('force-unlock').argument('<lock-id>', 'id printed by the refused apply').description('delete the upgrade lock of a run that is gone (only if the lock id matches)'))).action(
    lazy(async () => (await import('./commands/force-unlock.js')).forceUnlockCommand),
  );

  for (const cmd of program.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram().parseAsync(argv);
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
