import type { Inventory } from '../../k8s/inventory.js';
import type { MeshPlan } from '../../plans/mesh/index.js';
import { buildChangeTicket } from '../plan/change-ticket.js';
import { renderAs, toJson } from '../structured.js';
import type { TextStyle } from '../text/style.js';
import { renderMeshPlanMarkdown } from './markdown.js';
import { renderMeshPlanText } from './text.js';

/** A multi-cluster plan in the format -o asked for; its ticket-json holds one change ticket per cluster. */
export function renderMeshPlan(plan: MeshPlan, inventories: Map<string, Inventory>, format: string, style: TextStyle): string {
  return renderAs(plan, format, {
    text: () => renderMeshPlanText(plan, style.chalk, style.width),
    markdown: () => renderMeshPlanMarkdown(plan, inventories),
    'ticket-json': () =>
      toJson({
        apiVersion: 'istio-upgrade/v1',
        kind: 'MeshChangeTicket',
        mesh: plan.mesh,
        order: plan.order,
        clusters: plan.clusters.map((c) => ({ name: c.name, role: c.role, ticket: inventories.has(c.name) ? buildChangeTicket(c.plan, inventories.get(c.name)!) : null })),
      }),
  });
}
