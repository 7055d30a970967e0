import type { Cubic, LayoutRequest, MapLayout, Point } from '../../bin/mine/map-layout.js';

/**
 * Objective measures of a drawn process map, taken from the geometry as it is drawn (the Bézier
 * curves sampled finely): what makes a map hard to read is lines crossing, lines running on top of
 * each other or through a box that is not theirs, and labels covering boxes, lines or each other.
 */
export interface MapMetrics {
  width: number;
  height: number;
  /** Points where two edges cross (away from a node they both touch). */
  crossings: number;
  /** The same, each crossing weighted by √(count) of both edges: crossings of heavy flows count more. */
  weightedCrossings: number;
  /** (edge, box) pairs where an edge runs through a box it neither leaves nor enters. */
  edgesThroughBoxes: number;
  /** Length (px) over which an edge runs on top of another one, away from the nodes they share. */
  overlappingLength: number;
  /** That length as a share of all edge length. */
  overlappingShare: number;
  /** Pairs of labels that overlap. */
  labelOverlaps: number;
  /** (label, box) pairs that overlap. */
  labelsOnBoxes: number;
  /** (label, edge) pairs where an edge other than the label's own runs under the label. */
  labelsOnOtherEdges: number;
  /** Labels further than 20 px from their own edge. */
  detachedLabels: number;
  /** Labels with another edge at least as near as their own (which arrow do they belong to?). */
  ambiguousLabels: number;
  /** Total length of the edges (px). */
  edgeLength: number;
  /** The share of the flow (by count, self-loops excepted) that is drawn going upwards. */
  upwardFlowShare: number;
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const SAMPLES_PER_CURVE = 24;

function sample(start: Point, curves: readonly Cubic[]): Point[] {
  const out: Point[] = [start];
  let p0 = start;
  for (const [c1, c2, p3] of curves) {
    for (let i = 1; i <= SAMPLES_PER_CURVE; i++) {
      const t = i / SAMPLES_PER_CURVE;
      const u = 1 - t;
      out.push({
        x: u * u * u * p0.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * p3.x,
        y: u * u * u * p0.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * p3.y,
      });
    }
    p0 = p3;
  }
  return out;
}

function bounds(points: readonly Point[]): Rect {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x0, y0, x1, y1 };
}

const grow = (r: Rect, by: number): Rect => ({ x0: r.x0 - by, y0: r.y0 - by, x1: r.x1 + by, y1: r.y1 + by });
const meets = (a: Rect, b: Rect) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
const inside = (p: Point, r: Rect) => p.x > r.x0 && p.x < r.x1 && p.y > r.y0 && p.y < r.y1;

function segmentIntersection(a: Point, b: Point, c: Point, d: Point): Point | undefined {
  const r = { x: b.x - a.x, y: b.y - a.y };
  const s = { x: d.x - c.x, y: d.y - c.y };
  const denominator = r.x * s.y - r.y * s.x;
  if (Math.abs(denominator) < 1e-12) return undefined;
  const t = ((c.x - a.x) * s.y - (c.y - a.y) * s.x) / denominator;
  const u = ((c.x - a.x) * r.y - (c.y - a.y) * r.x) / denominator;
  if (t < 0 || t > 1 || u < 0 || u > 1) return undefined;
  return { x: a.x + t * r.x, y: a.y + t * r.y };
}

function segmentMeetsRect(a: Point, b: Point, r: Rect): boolean {
  if (inside(a, r) || inside(b, r)) return true;
  const corners = [
    { x: r.x0, y: r.y0 },
    { x: r.x1, y: r.y0 },
    { x: r.x1, y: r.y1 },
    { x: r.x0, y: r.y1 },
  ];
  for (let i = 0; i < 4; i++) if (segmentIntersection(a, b, corners[i]!, corners[(i + 1) % 4]!)) return true;
  return false;
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Points every `step` px along the polyline, each with the length it stands for. */
function walk(line: readonly Point[], step: number): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const b = line[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / step));
    for (let k = 0; k < n; k++) out.push({ x: a.x + ((b.x - a.x) * (k + 0.5)) / n, y: a.y + ((b.y - a.y) * (k + 0.5)) / n });
  }
  return out;
}

function length(line: readonly Point[]): number {
  let total = 0;
  for (let i = 1; i < line.length; i++) total += Math.hypot(line[i]!.x - line[i - 1]!.x, line[i]!.y - line[i - 1]!.y);
  return total;
}

/** Near a node both edges touch, lines converge by design; crossings and overlaps there are not counted. */
const NODE_ZONE = 14;

/** Segments filed by the square cells they touch, so that "what runs near here" is a look-up. */
class SegmentGrid {
  private readonly cells = new Map<string, { edge: number; a: Point; b: Point }[]>();
  constructor(private readonly size: number) {}

  private keys(r: Rect): string[] {
    const keys: string[] = [];
    for (let x = Math.floor(r.x0 / this.size); x <= Math.floor(r.x1 / this.size); x++)
      for (let y = Math.floor(r.y0 / this.size); y <= Math.floor(r.y1 / this.size); y++) keys.push(`${x},${y}`);
    return keys;
  }

  add(edge: number, a: Point, b: Point): void {
    for (const key of this.keys(bounds([a, b]))) {
      let list = this.cells.get(key);
      if (!list) this.cells.set(key, (list = []));
      list.push({ edge, a, b });
    }
  }

  near(r: Rect): Set<{ edge: number; a: Point; b: Point }> {
    const found = new Set<{ edge: number; a: Point; b: Point }>();
    for (const key of this.keys(r)) for (const s of this.cells.get(key) ?? []) found.add(s);
    return found;
  }
}

function segmentToRect(a: Point, b: Point, r: Rect): number {
  if (segmentMeetsRect(a, b, r)) return 0;
  const toRect = (p: Point) => Math.hypot(Math.max(r.x0 - p.x, 0, p.x - r.x1), Math.max(r.y0 - p.y, 0, p.y - r.y1));
  const corners = [
    { x: r.x0, y: r.y0 },
    { x: r.x1, y: r.y0 },
    { x: r.x1, y: r.y1 },
    { x: r.x0, y: r.y1 },
  ];
  return Math.min(toRect(a), toRect(b), ...corners.map((c) => distanceToSegment(c, a, b)));
}

export function measureMap(request: LayoutRequest, layout: MapLayout): MapMetrics {
  const nodeRect = new Map<string, Rect>();
  for (const n of request.nodes) {
    const c = layout.nodes.get(n.id)!;
    nodeRect.set(n.id, { x0: c.x - n.width / 2, y0: c.y - n.height / 2, x1: c.x + n.width / 2, y1: c.y + n.height / 2 });
  }
  const edges = request.edges.map((e) => {
    const placed = layout.edges.get(e.id)!;
    const line = sample(placed.start, placed.curves);
    const label = { x0: placed.label.x, y0: placed.label.y, x1: placed.label.x + e.labelWidth, y1: placed.label.y + e.labelHeight };
    return { e, line, label, length: length(line) };
  });
  const grid = new SegmentGrid(24);
  edges.forEach((edge, i) => {
    for (let p = 1; p < edge.line.length; p++) grid.add(i, edge.line[p - 1]!, edge.line[p]!);
  });
  const sharedZones = (a: (typeof edges)[number], b: (typeof edges)[number]) =>
    [a.e.from, a.e.to].filter((n) => n === b.e.from || n === b.e.to).map((n) => grow(nodeRect.get(n)!, NODE_ZONE));

  const crossingPoints = new Map<string, Point[]>();
  edges.forEach((a, i) => {
    for (let p = 1; p < a.line.length; p++) {
      const from = a.line[p - 1]!;
      const to = a.line[p]!;
      for (const s of grid.near(bounds([from, to]))) {
        if (s.edge <= i) continue;
        const x = segmentIntersection(from, to, s.a, s.b);
        if (!x || sharedZones(a, edges[s.edge]!).some((z) => inside(x, z))) continue;
        const key = `${i} ${s.edge}`;
        const points = crossingPoints.get(key) ?? [];
        // One touch or a short run along each other is one crossing, not many.
        if (points.some((y) => Math.hypot(x.x - y.x, x.y - y.y) < 6)) continue;
        points.push(x);
        crossingPoints.set(key, points);
      }
    }
  });
  let crossings = 0;
  let weightedCrossings = 0;
  for (const [key, points] of crossingPoints) {
    const [i, j] = key.split(' ').map(Number) as [number, number];
    crossings += points.length;
    weightedCrossings += points.length * Math.sqrt(edges[i]!.e.weight * edges[j]!.e.weight);
  }

  let edgesThroughBoxes = 0;
  for (const n of request.nodes) {
    const r = grow(nodeRect.get(n.id)!, -2);
    const through = new Set<number>();
    for (const s of grid.near(r)) {
      const e = edges[s.edge]!.e;
      if (e.from !== n.id && e.to !== n.id && !through.has(s.edge) && segmentMeetsRect(s.a, s.b, r)) through.add(s.edge);
    }
    edgesThroughBoxes += through.size;
  }

  const STEP = 2;
  let overlappingLength = 0;
  let edgeLength = 0;
  edges.forEach((a, i) => {
    edgeLength += a.length;
    for (const p of walk(a.line, STEP)) {
      for (const s of grid.near({ x0: p.x - 10, y0: p.y - 10, x1: p.x + 10, y1: p.y + 10 })) {
        if (s.edge === i) continue;
        const b = edges[s.edge]!;
        if (distanceToSegment(p, s.a, s.b) >= (a.e.thickness + b.e.thickness) / 2) continue;
        if (sharedZones(a, b).some((z) => inside(p, z))) continue;
        overlappingLength += STEP;
        break;
      }
    }
  });

  let labelOverlaps = 0;
  let labelsOnBoxes = 0;
  let labelsOnOtherEdges = 0;
  let detachedLabels = 0;
  let ambiguousLabels = 0;
  edges.forEach((a, i) => {
    for (const b of edges.slice(i + 1)) if (meets(grow(a.label, -0.5), grow(b.label, -0.5))) labelOverlaps++;
    for (const r of nodeRect.values()) if (meets(grow(a.label, -0.5), r)) labelsOnBoxes++;
    const inner = grow(a.label, -1);
    const under = new Set<number>();
    for (const s of grid.near(inner)) if (s.edge !== i && segmentMeetsRect(s.a, s.b, inner)) under.add(s.edge);
    labelsOnOtherEdges += under.size;
    let own = Number.POSITIVE_INFINITY;
    for (let p = 1; p < a.line.length; p++) own = Math.min(own, segmentToRect(a.line[p - 1]!, a.line[p]!, a.label));
    if (own > 20) detachedLabels++;
    const reach = grow(a.label, own + 2);
    if ([...grid.near(reach)].some((s) => s.edge !== i && segmentToRect(s.a, s.b, a.label) <= own + 2)) ambiguousLabels++;
  });

  let flow = 0;
  let upward = 0;
  for (const e of request.edges) {
    if (e.from === e.to) continue;
    flow += e.weight;
    if (layout.nodes.get(e.to)!.y < layout.nodes.get(e.from)!.y - 1) upward += e.weight;
  }

  return {
    width: Math.round(layout.width),
    height: Math.round(layout.height),
    crossings,
    weightedCrossings: Math.round(weightedCrossings),
    edgesThroughBoxes,
    overlappingLength: Math.round(overlappingLength),
    overlappingShare: edgeLength > 0 ? Math.round((overlappingLength / edgeLength) * 1000) / 1000 : 0,
    labelOverlaps,
    labelsOnBoxes,
    labelsOnOtherEdges,
    detachedLabels,
    ambiguousLabels,
    edgeLength: Math.round(edgeLength),
    upwardFlowShare: flow > 0 ? Math.round((upward / flow) * 1000) / 1000 : 0,
  };
}
