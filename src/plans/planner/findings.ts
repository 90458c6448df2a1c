import type { PlanIssue } from '../../plan/schema.js';

/** Collects blockers and warnings once each, in the order found. */
export class Findings {
  readonly blockers: PlanIssue[] = [];
  readonly warnings: PlanIssue[] = [];
  private readonly seen = new Set<string>();

  blocker(id: string, message: string, extra: Omit<PlanIssue, 'id' | 'message'> = {}): void {
    if (this.seen.has(`b:${id}:${message}`)) return;
    this.seen.add(`b:${id}:${message}`);
    this.blockers.push({ id, message, ...extra });
  }

  warning(id: string, message: string, extra: Omit<PlanIssue, 'id' | 'message'> = {}): void {
    if (this.seen.has(`w:${id}:${message}`)) return;
    this.seen.add(`w:${id}:${message}`);
    this.warnings.push({ id, message, ...extra });
  }
}
