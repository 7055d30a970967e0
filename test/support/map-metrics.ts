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

function distanceToRect(points: readonly Point[], r: Rect): number {
  let best = Number.POSITIVE_INFINITY;
  for (const p of points) best = Math.min(best, Math.hypot(Math.max(r.x0 - p.x, 0, p.x - r.x1), Math.max(r.y0 - p.y, 0, p.y - r.y1)));
  return best;
}

function distanceToPolyline(p: Point, line: readonly Point[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 1; i < line.length; i++) best = Math.min(best, distanceToSegment(p, line[i - 1]!, line[i]!));
  return best;
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
    return { e, line, box: bounds(line), label, length: length(line) };
  });
  const sharedZones = (a: (typeof edges)[number], b: (typeof edges)[number]) =>
    [a.e.from, a.e.to].filter((n) => n === b.e.from || n === b.e.to).map((n) => grow(nodeRect.get(n)!, NODE_ZONE));

  let crossings = 0;
  let weightedCrossings = 0;
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const a = edges[i]!;
      const b = edges[j]!;
      if (!meets(grow(a.box, 1), grow(b.box, 1))) continue;
      const zones = sharedZones(a, b);
      const points: Point[] = [];
      for (let p = 1; p < a.line.length; p++) {
        const segment = bounds([a.line[p - 1]!, a.line[p]!]);
        if (!meets(grow(segment, 0.01), grow(b.box, 0.01))) continue;
        for (let q = 1; q < b.line.length; q++) {
          const x = segmentIntersection(a.line[p - 1]!, a.line[p]!, b.line[q - 1]!, b.line[q]!);
          if (!x || zones.some((z) => inside(x, z))) continue;
          // One touch or a short run along each other is one crossing, not many.
          if (points.some((y) => Math.hypot(x.x - y.x, x.y - y.y) < 6)) continue;
          points.push(x);
        }
      }
      crossings += points.length;
      weightedCrossings += points.length * Math.sqrt(a.e.weight * b.e.weight);
    }
  }

  let edgesThroughBoxes = 0;
  for (const a of edges) {
    for (const n of request.nodes) {
      if (n.id === a.e.from || n.id === a.e.to) continue;
      const r = grow(nodeRect.get(n.id)!, -2);
      if (!meets(a.box, r)) continue;
      for (let p = 1; p < a.line.length; p++) {
        if (segmentMeetsRect(a.line[p - 1]!, a.line[p]!, r)) {
          edgesThroughBoxes++;
          break;
        }
      }
    }
  }

  let overlappingLength = 0;
  let edgeLength = 0;
  for (const a of edges) {
    edgeLength += a.length;
    const step = 2;
    for (const p of walk(a.line, step)) {
      for (const b of edges) {
        if (b === a || !inside(p, grow(b.box, 10))) continue;
        if (sharedZones(a, b).some((z) => inside(p, z))) continue;
        if (distanceToPolyline(p, b.line) < (a.e.thickness + b.e.thickness) / 2) {
          overlappingLength += step;
          break;
        }
      }
    }
  }

  let labelOverlaps = 0;
  let labelsOnBoxes = 0;
  let labelsOnOtherEdges = 0;
  let detachedLabels = 0;
  let ambiguousLabels = 0;
  const dense = edges.map((a) => walk(a.line, 3));
  for (let i = 0; i < edges.length; i++) {
    const a = edges[i]!;
    for (let j = i + 1; j < edges.length; j++) if (meets(grow(a.label, -0.5), grow(edges[j]!.label, -0.5))) labelOverlaps++;
    for (const r of nodeRect.values()) if (meets(grow(a.label, -0.5), r)) labelsOnBoxes++;
    const inner = grow(a.label, -1);
    for (const b of edges) {
      if (b === a || !meets(b.box, inner)) continue;
      for (let p = 1; p < b.line.length; p++) {
        if (segmentMeetsRect(b.line[p - 1]!, b.line[p]!, inner)) {
          labelsOnOtherEdges++;
          break;
        }
      }
    }
    const corners = [
      { x: a.label.x0, y: (a.label.y0 + a.label.y1) / 2 },
      { x: a.label.x1, y: (a.label.y0 + a.label.y1) / 2 },
      { x: (a.label.x0 + a.label.x1) / 2, y: a.label.y0 },
      { x: (a.label.x0 + a.label.x1) / 2, y: a.label.y1 },
    ];
    if (Math.min(...corners.map((c) => distanceToPolyline(c, a.line))) > 20) detachedLabels++;
    const own = distanceToRect(dense[i]!, a.label);
    if (dense.some((points, j) => j !== i && distanceToRect(points, a.label) <= own + 2)) ambiguousLabels++;
  }

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
