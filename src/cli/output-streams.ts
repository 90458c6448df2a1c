/**
 * stdout and stderr can go away under a running command: `apply … | head`, a closed terminal, a CI log
 * collector that died. Writing to them then fails (EPIPE, EIO) with an 'error' event that would otherwise
 * kill the process mid-run, lock held. Narration is not worth a half-finished upgrade: the error is absorbed
 * (the stream destroys itself, later writes are dropped by Node) and the run goes on to its end or its next
 * checkpoint.
 */

let guarded = false;

export function guardOutputStreams(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
