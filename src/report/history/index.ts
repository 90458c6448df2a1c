import type { HistoryEntry } from '../../apply/history.js';
import type { MeshRunRecord } from '../../apply/mesh/record.js';
import { renderAs } from '../structured.js';
import type { TextStyle } from '../text/style.js';
import { renderHistoryText } from './text.js';

/** `history`: the runs recorded in the cluster, newest first. */
export interface RunHistory {
  apiVersion: 'istio-upgrade/v1';
  kind: 'RunHistory';
  context: string;
  istioNamespace: string;
  runs: HistoryEntry[];
  /** Mesh runs this cluster took part in (their record is copied to every cluster of the mesh), newest first. */
  meshRuns: MeshRunRecord[];
}

export function renderHistory(doc: RunHistory, format: string, style: TextStyle): string {
  return renderAs(doc, format, { text: () => renderHistoryText(doc, style) });
}
