import type { Inventory } from '../../k8s/inventory.js';
import { renderAs } from '../structured.js';
import type { TextStyle } from '../text/style.js';
import { renderStatus } from './text.js';

/** The inventory (`status`): a summary for people, or the inventory document itself. */
export function renderInventory(inventory: Inventory, format: string, style: TextStyle): string {
  return renderAs(inventory, format, { text: () => renderStatus(inventory, style.chalk, style.width) });
}
