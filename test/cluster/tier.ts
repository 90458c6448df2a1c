/** Whether the real-cluster tier can run here; the reason is printed when it cannot (skipped, never counted as passed). */
import { notRunReason } from './harness/bins.js';

const said = new Set<string>();

/** The reason tests with Helm `helm` cannot run here, or undefined. */
export function notRun(helm: 3 | 4): string | undefined {
  const why = notRunReason(helm);
  if (why && !said.has(why)) {
    said.add(why);
    console.warn(`real-cluster tier not run: ${why}`);
  }
  return why;
}
