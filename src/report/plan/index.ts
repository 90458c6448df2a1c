import type { Inventory } from '../../k8s/inventory.js';
import type { Plan } from '../../plan/schema.js';
import { renderAs, toJson } from '../structured.js';
import type { TextStyle } from '../text/style.js';
import { buildChangeTicket } from './change-ticket.js';
import { renderPlanMarkdown } from './markdown.js';
import { renderPlanText } from './text.js';

export function renderPlan(plan: Plan, inventory: Inventory, format: string, style: TextStyle): string {
  return renderAs(plan, format, {
    text: () => renderPlanText(plan, style.chalk, style.width),
    markdown: () => renderPlanMarkdown(plan, inventory),
    'ticket-json': () => toJson(buildChangeTicket(plan, inventory)),
  });
}
