import ElkImport from 'elkjs/lib/elk.bundled.js';
import type { ElkEdgeSection, ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api.js';
import { type Cubic, type LayoutEngine, line, type PlacedEdge, type Point } from './map-layout.js';

// The package is CommonJS with an ES-style default export in its typings; Node hands over module.exports, the constructor.
const ELK = ElkImport as unknown as typeof ElkImport.default;

/**
 * The process map laid out by the Eclipse Layout Kernel's layered algorithm (elkjs): top to bottom,
 * edge labels on layers of their own next to their edge (so no label covers a box, a line or
 * another label), edges routed as splines around the boxes. The frequency of a transition is its
 * priority: frequent transitions are kept pointing down (cycle breaking), short (layering) and
 * straight (node placement). The side-by-side comparison with a hand-written layered layout and
 * dagre that chose this is in docs/reports-and-mining.md#the-process-map-layout.
 */
const MAP_LAYOUT_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'SPLINES',
  // Conservative splines follow the routed channels; the default ("sloppy") cuts corners and lays edges over each other.
  'elk.layered.edgeRouting.splines.mode': 'CONSERVATIVE',
  // Greedy cycle breaking with the order of the nodes (start, activities by frequency, end) as the tie-breaker.
  'elk.layered.cycleBreaking.strategy': 'GREEDY_MODEL_ORDER',
  'elk.layered.layering.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.thoroughness': '20',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.spacing.nodeNode': '26',
  'elk.layered.spacing.nodeNodeBetweenLayers': '30',
  'elk.spacing.edgeNode': '12',
  'elk.spacing.edgeEdge': '8',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
  'elk.spacing.edgeLabel': '3',
};

/** Square roots damp the frequency range: a 4,000-case edge should win, not erase a 40-case one. */
const priority = (weight: number) => String(Math.max(1, Math.round(Math.sqrt(weight))));

export const elkLayout: LayoutEngine = (request) => elkLayoutWith({})(request);

/** The same with some options changed (to compare variants). */
export const elkLayoutWith =
  (changed: LayoutOptions): LayoutEngine =>
  async ({ nodes, edges, startId, endId, margin }) => {
    const graph: ElkNode = {
      id: 'root',
      layoutOptions: { ...MAP_LAYOUT_OPTIONS, ...changed, 'elk.padding': `[top=${margin},left=${margin},bottom=${margin},right=${margin}]` },
      children: nodes.map((n) => ({
        id: n.id,
        width: n.width,
        height: n.height,
        ...(n.id === startId || n.id === endId ? { layoutOptions: { 'elk.layered.layering.layerConstraint': n.id === startId ? 'FIRST' : 'LAST' } } : {}),
      })),
      edges: edges.map(
        (e): ElkExtendedEdge => ({
          id: e.id,
          sources: [e.from],
          targets: [e.to],
          // ELK ignores a label without text; the text itself is never drawn by ELK.
          labels: [{ id: `${e.id}:label`, text: e.id, width: e.labelWidth, height: e.labelHeight }],
          layoutOptions: {
            'elk.edge.thickness': String(e.thickness),
            'elk.layered.priority.direction': priority(e.weight),
            'elk.layered.priority.shortness': priority(e.weight),
            'elk.layered.priority.straightness': priority(e.weight),
          },
        }),
      ),
    };
    const out = await new ELK().layout(graph);
    const placed = new Map<string, PlacedEdge>();
    for (const e of (out.edges ?? []) as ElkExtendedEdge[]) {
      const sections = e.sections ?? [];
      if (sections.length === 0) throw new Error(`the layout did not route edge ${e.id}`);
      const label = e.labels?.[0];
      const start = sections[0]!.startPoint;
      const curves = sections.flatMap(splineOf);
      placed.set(e.id, { id: e.id, start, curves, label: { x: label?.x ?? start.x, y: label?.y ?? start.y } });
    }
    return {
      width: out.width ?? 0,
      height: out.height ?? 0,
      nodes: new Map((out.children ?? []).map((c: ElkNode) => [c.id, { x: (c.x ?? 0) + (c.width ?? 0) / 2, y: (c.y ?? 0) + (c.height ?? 0) / 2 }])),
      edges: placed,
    };
  };

/**
 * With spline routing the bend points are the control points of a piecewise cubic Bézier curve:
 * each three points (two controls and an end) make one segment; a remainder of two is a quadratic
 * segment, of one a straight line (ELK's own renderers read them the same way).
 */
function splineOf(section: ElkEdgeSection): Cubic[] {
  const points: Point[] = [...(section.bendPoints ?? []), section.endPoint];
  const curves: Cubic[] = [];
  let from = section.startPoint;
  let i = 0;
  for (; i + 3 <= points.length; i += 3) {
    curves.push([points[i]!, points[i + 1]!, points[i + 2]!]);
    from = points[i + 2]!;
  }
  const rest = points.slice(i);
  if (rest.length === 1) curves.push(line(from, rest[0]!));
  if (rest.length === 2) {
    const [control, to] = rest as [Point, Point];
    // The quadratic Bézier as the equivalent cubic.
    curves.push([
      { x: from.x + ((control.x - from.x) * 2) / 3, y: from.y + ((control.y - from.y) * 2) / 3 },
      { x: to.x + ((control.x - to.x) * 2) / 3, y: to.y + ((control.y - to.y) * 2) / 3 },
      to,
    ]);
  }
  return curves;
}
