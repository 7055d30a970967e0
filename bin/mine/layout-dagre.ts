import dagre from '@dagrejs/dagre';
import type { LayoutEngine, PlacedEdge } from './map-layout.js';
import { throughPoints } from './smooth.js';

export const dagreLayout: LayoutEngine = async ({ nodes, edges, margin }) => {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 26, edgesep: 12, ranksep: 24, marginx: margin, marginy: margin, acyclicer: 'greedy', ranker: 'network-simplex' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges) {
    g.setEdge(
      e.from,
      e.to,
      { weight: Math.max(1, Math.round(Math.sqrt(e.weight))), minlen: 1, width: e.labelWidth, height: e.labelHeight, labelpos: 'r', labeloffset: 6 },
      e.id,
    );
  }
  dagre.layout(g);
  const placed = new Map<string, PlacedEdge>();
  for (const e of edges) {
    const label = g.edge(e.from, e.to, e.id);
    const points = label.points!;
    placed.set(e.id, {
      id: e.id,
      start: points[0]!,
      curves: throughPoints(points),
      label: { x: label.x! - e.labelWidth / 2, y: label.y! - e.labelHeight / 2 },
    });
  }
  const graph = g.graph();
  return {
    width: graph.width!,
    height: graph.height!,
    nodes: new Map(nodes.map((n) => [n.id, { x: g.node(n.id).x!, y: g.node(n.id).y! }])),
    edges: placed,
  };
};
