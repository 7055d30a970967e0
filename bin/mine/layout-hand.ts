import { layoutLayered } from '../../functions/core/mining/layered-layout.js';
import type { Cubic, LayoutEngine, PlacedEdge, Point } from './map-layout.js';

const LOOP_REACH = 30;

/** The hand-written layered layout, with self-loops drawn beside their box as the renderer used to. */
export const handLayout: LayoutEngine = async ({ nodes, edges, startId, endId, margin }) => {
  const loops = new Map(edges.filter((e) => e.from === e.to).map((e) => [e.from, e]));
  const layout = layoutLayered(
    nodes.map((n) => {
      const loop = loops.get(n.id);
      return { ...n, ...(loop ? { rightExtra: LOOP_REACH + 6 + loop.labelWidth } : {}) };
    }),
    edges
      .filter((e) => e.from !== e.to)
      .map((e) => ({ id: e.id, from: e.from, to: e.to, weight: e.weight, labelWidth: e.labelWidth - 4, labelHeight: 14, thickness: e.thickness })),
    { startId, endId, margin },
  );
  const placed = new Map<string, PlacedEdge>();
  for (const e of layout.edges) {
    const points = e.points;
    const curves: Cubic[] = [];
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1]!;
      const b = points[i]!;
      const dy = (b.y - a.y) / 2;
      curves.push([
        { x: a.x, y: a.y + dy },
        { x: b.x, y: b.y - dy },
        { x: b.x, y: b.y },
      ]);
    }
    placed.set(e.id, { id: e.id, start: points[0]!, curves, label: { x: e.label.x - 2, y: e.label.y - 8 } });
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const [id, loop] of loops) {
    const at = layout.nodes.get(id)!;
    const box = byId.get(id)!;
    const right = at.x + box.width / 2;
    const top = at.y - box.height / 4;
    const bottom = at.y + box.height / 4;
    const tip: Point = { x: right + 1, y: bottom };
    placed.set(loop.id, {
      id: loop.id,
      start: { x: right, y: top },
      curves: [[{ x: right + LOOP_REACH, y: top - 14 }, { x: right + LOOP_REACH, y: bottom + 14 }, tip]],
      label: { x: right + LOOP_REACH + 4, y: at.y - 8 },
    });
  }
  return { width: layout.width, height: layout.height, nodes: new Map([...layout.nodes].map(([k, v]) => [k, { x: v.x, y: v.y }])), edges: placed };
};
