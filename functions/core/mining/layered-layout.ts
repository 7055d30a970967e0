/**
 * A layered (Sugiyama-style) layout for directly-follows graphs, drawn top to bottom from the start
 * node to the end node:
 *
 * 1. Cycle breaking: a depth-first search from the start node that follows the heaviest edges
 *    first; an edge into a node still on the search stack is a back edge (rework, loops) and is
 *    laid out reversed. Following heavy edges first keeps the main flow pointing down.
 * 2. Ranks: longest path from the sources, the end node alone on the last rank.
 * 3. Every edge gets a virtual node in the layer between two ranks that carries its label (as
 *    graphviz does), plus one per further layer it crosses; so labels can never overlap each
 *    other or a box, which is what keeps a map with 50+ edges readable.
 * 4. Order within layers: weighted barycentre sweeps, keeping the order with the fewest
 *    (frequency-weighted) crossings.
 * 5. Horizontal positions: repeated sweeps pull every vertex towards the weighted mean of its
 *    neighbours; each layer is then solved exactly as a weighted isotonic regression (pool
 *    adjacent violators) under the minimum-spacing constraints. Heavy edges and long edges pull
 *    harder, so the main path and long detours come out straight.
 */

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  /** Extra room on the right (a self-loop and its label). */
  rightExtra?: number;
  /** Nodes drawn as circles take every edge at their centre. */
  round?: boolean;
}

export interface LayoutEdge {
  id: string;
  from: string;
  to: string;
  /** Frequency: heavier edges pull harder and are kept straighter. */
  weight: number;
  labelWidth: number;
  labelHeight: number;
  /** Stroke width, so parallel edges keep apart. */
  thickness: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  rank: number;
}

export interface PlacedEdge {
  id: string;
  /** From the source's port to the target's port, through the virtual nodes. */
  points: Point[];
  /** Drawn against the flow (a loop back to an earlier step). */
  backward: boolean;
  /** Where the edge's label goes: left end of its box, vertically centred. */
  label: Point;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  startId?: string;
  endId?: string;
  /** Space between two boxes in a layer. */
  nodeGap?: number;
  /** Vertical space between consecutive layers. */
  layerGap?: number;
  margin?: number;
}

interface Vertex {
  key: string;
  layer: number;
  /** Extent left and right of the vertex's x (for a virtual node, x is where the edge passes). */
  left: number;
  right: number;
  height: number;
  node?: LayoutNode;
  x: number;
}

interface Segment {
  upper: string;
  lower: string;
  weight: number;
}

const LABEL_OFFSET = 7;

export function layoutLayered(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], options: LayoutOptions = {}): Layout {
  const nodeGap = options.nodeGap ?? 26;
  const layerGap = options.layerGap ?? 16;
  const margin = options.margin ?? 20;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const usable = edges.filter((e) => e.from !== e.to && byId.has(e.from) && byId.has(e.to));

  // 1. Cycle breaking by a heaviest-first depth-first search.
  const outgoing = new Map<string, LayoutEdge[]>(nodes.map((n) => [n.id, []]));
  for (const e of usable) outgoing.get(e.from)!.push(e);
  for (const list of outgoing.values()) list.sort((a, b) => b.weight - a.weight);
  const weightOf = new Map<string, number>();
  for (const e of usable) {
    weightOf.set(e.from, (weightOf.get(e.from) ?? 0) + e.weight);
    weightOf.set(e.to, (weightOf.get(e.to) ?? 0) + e.weight);
  }
  const state = new Map<string, 1 | 2>();
  const reversed = new Set<string>();
  const discovery: string[] = [];
  const visit = (u: string) => {
    state.set(u, 1);
    discovery.push(u);
    for (const e of outgoing.get(u)!) {
      const s = state.get(e.to);
      if (s === 1) reversed.add(e.id);
      else if (s === undefined) visit(e.to);
    }
    state.set(u, 2);
  };
  const roots = [...nodes].filter((n) => n.id !== options.startId).sort((a, b) => (weightOf.get(b.id) ?? 0) - (weightOf.get(a.id) ?? 0));
  if (options.startId && byId.has(options.startId)) visit(options.startId);
  for (const n of roots) if (!state.has(n.id)) visit(n.id);

  // Edges in the orientation of the search: acyclic, so ranks can follow them.
  const acyclic = usable.map((e) => (reversed.has(e.id) ? { e, from: e.to, to: e.from } : { e, from: e.from, to: e.to }));

  // 2. Ranks by longest path (Kahn's order over the now acyclic graph), then refined by frequency.
  const rank = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const indegree = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const down = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const o of acyclic) {
    indegree.set(o.to, indegree.get(o.to)! + 1);
    down.get(o.from)!.push(o.to);
  }
  const queue = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  while (queue.length) {
    const u = queue.shift()!;
    for (const v of down.get(u)!) {
      rank.set(v, Math.max(rank.get(v)!, rank.get(u)! + 1));
      indegree.set(v, indegree.get(v)! - 1);
      if (indegree.get(v) === 0) queue.push(v);
    }
  }
  if (options.startId && byId.has(options.startId)) {
    // Only the start node sits on rank 0; other sources (activities nothing leads to) start below it.
    for (const n of nodes) if (n.id !== options.startId && rank.get(n.id) === 0) rank.set(n.id, 1);
    for (const o of acyclic) if (rank.get(o.to)! <= rank.get(o.from)!) rank.set(o.to, rank.get(o.from)! + 1);
    propagate(acyclic, rank);
  }
  improveRanks(nodes, usable, rank, options);
  if (options.endId && byId.has(options.endId)) {
    let deepest = 0;
    for (const n of nodes) if (n.id !== options.endId) deepest = Math.max(deepest, rank.get(n.id)!);
    rank.set(options.endId, deepest + 1);
  }
  // Orientation follows the final ranks: an edge that climbs is drawn as a loop back.
  const oriented = usable.map((e) => (rank.get(e.from)! > rank.get(e.to)! ? { e, from: e.to, to: e.from } : { e, from: e.from, to: e.to }));
  reversed.clear();
  for (const e of usable) if (rank.get(e.from)! > rank.get(e.to)!) reversed.add(e.id);

  // 3. Layers with virtual nodes: real nodes on even layers, every edge crosses at least one odd layer.
  const vertices = new Map<string, Vertex>();
  let layerCount = 0;
  for (const n of nodes) {
    const layer = 2 * rank.get(n.id)!;
    layerCount = Math.max(layerCount, layer + 1);
    vertices.set(n.id, { key: n.id, layer, left: n.width / 2, right: n.width / 2 + (n.rightExtra ?? 0), height: n.height, node: n, x: 0 });
  }
  const segments: Segment[] = [];
  const chains = new Map<string, { keys: string[]; labelKey: string; flat: boolean }>();
  for (const o of oriented) {
    const top = vertices.get(o.from)!.layer;
    const bottom = vertices.get(o.to)!.layer;
    if (top === bottom) {
      // A flat edge (both ends on one rank) dips into the label layer below and comes back up: a U.
      const key = `${o.e.id}@${top + 1}`;
      const half = o.e.thickness / 2 + 3;
      vertices.set(key, { key, layer: top + 1, left: half, right: Math.max(half, LABEL_OFFSET + o.e.labelWidth + 2), height: o.e.labelHeight, x: 0 });
      layerCount = Math.max(layerCount, top + 2);
      segments.push({ upper: o.from, lower: key, weight: o.e.weight }, { upper: o.to, lower: key, weight: o.e.weight });
      chains.set(o.e.id, { keys: [o.from, key, o.to], labelKey: key, flat: true });
      continue;
    }
    const middle = (top + bottom) / 2;
    let labelLayer = top + 1;
    for (let l = top + 1; l < bottom; l += 2) if (Math.abs(l - middle) < Math.abs(labelLayer - middle)) labelLayer = l;
    const keys = [o.from];
    for (let l = top + 1; l < bottom; l++) {
      const key = `${o.e.id}@${l}`;
      const isLabel = l === labelLayer;
      const half = o.e.thickness / 2 + 3;
      vertices.set(key, {
        key,
        layer: l,
        left: half,
        right: isLabel ? Math.max(half, LABEL_OFFSET + o.e.labelWidth + 2) : half,
        height: isLabel ? o.e.labelHeight : 0,
        x: 0,
      });
      keys.push(key);
    }
    keys.push(o.to);
    for (let i = 1; i < keys.length; i++) segments.push({ upper: keys[i - 1]!, lower: keys[i]!, weight: o.e.weight });
    chains.set(o.e.id, { keys, labelKey: `${o.e.id}@${labelLayer}`, flat: false });
  }

  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  const discoveryIndex = new Map(discovery.map((id, i) => [id, i]));
  const initialOrder = [...vertices.values()].sort((a, b) => (discoveryIndex.get(a.key) ?? 0) - (discoveryIndex.get(b.key) ?? 0));
  for (const v of initialOrder) layers[v.layer]!.push(v.key);

  const ups = new Map<string, Segment[]>();
  const downs = new Map<string, Segment[]>();
  for (const key of vertices.keys()) {
    ups.set(key, []);
    downs.set(key, []);
  }
  for (const s of segments) {
    downs.get(s.upper)!.push(s);
    ups.get(s.lower)!.push(s);
  }
  // Square roots damp the frequency range: a 4,000-case edge should win, not erase a 40-case one.
  const pull = (s: Segment) => Math.sqrt(s.weight);

  // 4. Ordering by barycentre sweeps.
  const dummyChains = [...chains.values()].map((c) => c.keys.filter((k) => !vertices.get(k)!.node)).filter((c) => c.length >= 2);
  orderLayers(layers, ups, downs, pull, dummyChains);

  // 5. Horizontal positions.
  const separation = (a: Vertex, b: Vertex) => a.right + b.left + (a.node && b.node ? nodeGap : a.node || b.node ? nodeGap / 2 : 4);
  for (const layer of layers) {
    let x = 0;
    layer.forEach((key, i) => {
      const v = vertices.get(key)!;
      if (i > 0) x += separation(vertices.get(layer[i - 1]!)!, v);
      v.x = x;
    });
    const shift = x / 2;
    for (const key of layer) vertices.get(key)!.x -= shift;
  }
  const solveLayer = (layer: string[], neighbours: (key: string) => { key: string; w: number }[]) => {
    const targets: number[] = [];
    const weights: number[] = [];
    for (const key of layer) {
      const v = vertices.get(key)!;
      const ns = neighbours(key).map((n) => ({ x: vertices.get(n.key)!.x, w: n.w }));
      let sw = 0;
      for (const n of ns) sw += n.w;
      // Virtual nodes pull harder than boxes: a long edge should run straight, a box may shift.
      const boost = v.node ? 1 : 4;
      targets.push(sw > 0 ? weightedMedian(ns) : v.x);
      // Squared: where a crowded layer forces a compromise, the heavy flow should barely move.
      weights.push(sw > 0 ? (sw * boost) ** 2 : 0.05);
    }
    const offsets: number[] = [0];
    for (let i = 1; i < layer.length; i++) offsets.push(offsets[i - 1]! + separation(vertices.get(layer[i - 1]!)!, vertices.get(layer[i]!)!));
    const solved = isotonic(
      targets.map((t, i) => t - offsets[i]!),
      weights,
    );
    layer.forEach((key, i) => {
      vertices.get(key)!.x = solved[i]! + offsets[i]!;
    });
  };
  // Positions follow frequency linearly: the main flow should run straight, rare edges may bend.
  const upperOf = (key: string) => ups.get(key)!.map((s) => ({ key: s.upper, w: s.weight }));
  const lowerOf = (key: string) => downs.get(key)!.map((s) => ({ key: s.lower, w: s.weight }));
  const bothOf = (key: string) => [...upperOf(key), ...lowerOf(key)];
  for (let iteration = 0; iteration < 40; iteration++) {
    if (iteration % 3 === 0) for (let l = 1; l < layers.length; l++) solveLayer(layers[l]!, upperOf);
    else if (iteration % 3 === 1) for (let l = layers.length - 2; l >= 0; l--) solveLayer(layers[l]!, lowerOf);
    else for (let l = 0; l < layers.length; l++) solveLayer(layers[l]!, bothOf);
  }

  // Vertical positions: each layer as tall as its tallest member.
  const layerTop: number[] = [];
  const layerHeight: number[] = [];
  // A gap grows with how far its edges travel sideways, so a wide fan-in still slopes visibly
  // instead of running flat through the next row of labels.
  const gapBelow = layers.map((layer) => {
    let widest = 0;
    for (const key of layer) for (const s of downs.get(key)!) widest = Math.max(widest, Math.abs(vertices.get(s.lower)!.x - vertices.get(key)!.x));
    return Math.min(64, Math.max(layerGap, widest * 0.07));
  });
  let y = 0;
  for (let l = 0; l < layers.length; l++) {
    const h = Math.max(l % 2 === 0 ? 0 : 12, ...layers[l]!.map((k) => vertices.get(k)!.height));
    layerTop.push(y);
    layerHeight.push(h);
    y += h + gapBelow[l]!;
  }
  y -= gapBelow[layers.length - 1]! - layerGap;
  const centreY = (l: number) => layerTop[l]! + layerHeight[l]! / 2;

  // Bounds, then shift everything by the margin.
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  for (const v of vertices.values()) {
    minX = Math.min(minX, v.x - v.left);
    maxX = Math.max(maxX, v.x + v.right);
  }
  const dx = margin - minX;
  const dy = margin;
  const placed = new Map<string, PlacedNode>();
  for (const n of nodes) {
    const v = vertices.get(n.id)!;
    placed.set(n.id, { id: n.id, x: v.x + dx, y: centreY(v.layer) + dy, rank: rank.get(n.id)! });
  }

  // Ports: an edge leaves (enters) a box at the point of its side nearest to where it goes (comes
  // from), so a straight edge stays straight; edges that would overlap there are pushed apart, the
  // lighter ones moving (the same isotonic solve, weighted by frequency).
  const portX = new Map<string, number>();
  const thicknessOf = new Map(edges.map((e) => [e.id, e.thickness]));
  const segmentEdge = (s: Segment) =>
    s.upper.includes('@') ? s.upper.slice(0, s.upper.lastIndexOf('@')) : s.lower.includes('@') ? s.lower.slice(0, s.lower.lastIndexOf('@')) : undefined;
  const spreadPorts = (nodeId: string, side: 'top' | 'bottom') => {
    const v = vertices.get(nodeId)!;
    const node = v.node!;
    const segs = side === 'bottom' ? downs.get(nodeId)! : ups.get(nodeId)!;
    if (node.round) {
      for (const s of segs) portX.set(`${s.upper}>${s.lower}`, v.x + dx);
      return;
    }
    const inset = Math.min(14, node.width / 4);
    const lo = v.x - node.width / 2 + inset;
    const hi = v.x + node.width / 2 - inset;
    const wanted = segs
      .map((s) => {
        const other = vertices.get(side === 'bottom' ? s.lower : s.upper)!.x;
        return { s, x: Math.min(hi, Math.max(lo, other)), w: s.weight, t: thicknessOf.get(segmentEdge(s) ?? '') ?? 2 };
      })
      .sort((a, b) => a.x - b.x);
    const offsets: number[] = [0];
    for (let i = 1; i < wanted.length; i++) offsets.push(offsets[i - 1]! + (wanted[i - 1]!.t + wanted[i]!.t) / 2 + 4);
    const solved = isotonic(
      wanted.map((p, i) => p.x - offsets[i]!),
      wanted.map((p) => p.w),
    );
    wanted.forEach((p, i) => portX.set(`${p.s.upper}>${p.s.lower}`, Math.min(hi + inset / 2, Math.max(lo - inset / 2, solved[i]! + offsets[i]!)) + dx));
  };
  for (const n of nodes) {
    spreadPorts(n.id, 'top');
    spreadPorts(n.id, 'bottom');
  }

  const placedEdges: PlacedEdge[] = [];
  for (const o of oriented) {
    const { keys, labelKey, flat } = chains.get(o.e.id)!;
    const points: Point[] = [];
    for (let i = 0; i < keys.length; i++) {
      const v = vertices.get(keys[i]!)!;
      if (v.node) {
        const placedNode = placed.get(v.key)!;
        // The upper end leaves from the bottom side; the lower end enters the top side, except for
        // a flat edge, whose both ends sit on the bottom side.
        const onBottom = i === 0 || flat;
        const segKey = i === 0 ? `${keys[0]}>${keys[1]}` : flat ? `${keys[i]}>${keys[i - 1]}` : `${keys[i - 1]}>${keys[i]}`;
        const px = portX.get(segKey) ?? placedNode.x;
        const half = v.node.height / 2;
        points.push({ x: px, y: placedNode.y + (onBottom ? half : -half) });
      } else {
        points.push({ x: v.x + dx, y: centreY(v.layer) + dy });
      }
    }
    const labelVertex = vertices.get(labelKey);
    const label = labelVertex ? { x: labelVertex.x + dx + LABEL_OFFSET, y: centreY(labelVertex.layer) + dy } : points[0]!;
    const backward = reversed.has(o.e.id);
    placedEdges.push({ id: o.e.id, points: backward ? points.reverse() : points, backward, label });
  }

  return { nodes: placed, edges: placedEdges, width: maxX - minX + 2 * margin, height: y - layerGap + 2 * margin };
}

/** An upward edge costs as much as a downward one four ranks long: loops back are fine, but not for the main flow. */
const CLIMB_PENALTY = 3;
/** A flat edge (a U below one rank) reads worst of all: fine for a rare step beside its neighbour, never for a main flow. */
const FLAT_PENALTY = 6;

/**
 * Longest-path ranks let a rare chain (A → rare → rarer → B) push a frequent successor B far down,
 * stretching the main flow. This local search moves one node at a time to the rank that minimises
 * the frequency-weighted length of its edges (a downward edge of length L costs L − 1, an upward one
 * CLIMB_PENALTY + |L|; two connected nodes never share a rank), until nothing improves. Edges from
 * the start and into the end node cost nothing: those two are pinned to the top and bottom anyway.
 */
function improveRanks(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], rank: Map<string, number>, options: LayoutOptions): void {
  const pinned = new Set([options.startId, options.endId].filter((x): x is string => x !== undefined));
  // Start (rank 0) and end (re-placed below everything afterwards) constrain nothing here.
  const relevant = edges.filter((e) => !pinned.has(e.from) && !pinned.has(e.to));
  const incident = new Map<string, LayoutEdge[]>(nodes.map((n) => [n.id, []]));
  for (const e of relevant) {
    incident.get(e.from)!.push(e);
    incident.get(e.to)!.push(e);
  }
  const edgeCost = (e: LayoutEdge, rankOf: (id: string) => number) => {
    const length = rankOf(e.to) - rankOf(e.from);
    return e.weight * (length > 0 ? length - 1 : length === 0 ? FLAT_PENALTY : CLIMB_PENALTY - length);
  };
  /** Change in cost if the nodes in `moves` took those ranks. */
  const delta = (moves: Map<string, number>) => {
    const seen = new Set<LayoutEdge>();
    const after = (id: string) => moves.get(id) ?? rank.get(id)!;
    const before = (id: string) => rank.get(id)!;
    let d = 0;
    for (const id of moves.keys()) {
      for (const e of incident.get(id)!) {
        if (seen.has(e)) continue;
        seen.add(e);
        d += edgeCost(e, after) - edgeCost(e, before);
      }
    }
    return d;
  };
  /**
   * Moving a node onto the rank of a neighbour would flatten their edge. Besides the move itself,
   * try the variant that takes such neighbours along one rank further (down for a successor, up
   * for a predecessor), which lets a pair of rare activities move together.
   */
  const movesFor = (id: string, r: number): Map<string, number> | undefined => {
    const moves = new Map([[id, r]]);
    for (const e of incident.get(id)!) {
      const other = e.from === id ? e.to : e.from;
      if (rank.get(other) !== r || pinned.has(other) || moves.has(other)) continue;
      const target = e.from === id ? r + 1 : r - 1;
      if (target < 1) return undefined;
      moves.set(other, target);
    }
    return moves;
  };
  const movable = nodes.filter((n) => !pinned.has(n.id)).map((n) => n.id);
  for (let pass = 0; pass < 30; pass++) {
    let maxRank = 1;
    for (const id of movable) maxRank = Math.max(maxRank, rank.get(id)!);
    let improved = false;
    for (const id of movable) {
      const current = rank.get(id)!;
      let best: Map<string, number> | undefined;
      let bestDelta = -1e-9;
      for (let r = 1; r <= maxRank + 1; r++) {
        if (r === current) continue;
        for (const moves of [new Map([[id, r]]), movesFor(id, r)]) {
          if (!moves) continue;
          const d = delta(moves);
          if (d < bestDelta) {
            best = moves;
            bestDelta = d;
          }
        }
      }
      if (best) {
        for (const [m, r] of best) rank.set(m, r);
        improved = true;
      }
    }
    if (!improved) break;
  }
  // Close the gaps a move may have left, keeping relative order.
  const used = [...new Set(movable.map((id) => rank.get(id)!))].sort((a, b) => a - b);
  const compact = new Map(used.map((r, i) => [r, i + 1]));
  for (const id of movable) rank.set(id, compact.get(rank.get(id)!)!);
  if (options.startId && rank.has(options.startId)) rank.set(options.startId, 0);
}

/** Re-establishes rank(to) > rank(from) along edges after ranks were raised. */
function propagate(oriented: { from: string; to: string }[], rank: Map<string, number>): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const o of oriented) {
      if (rank.get(o.to)! <= rank.get(o.from)!) {
        rank.set(o.to, rank.get(o.from)! + 1);
        changed = true;
      }
    }
  }
}

function orderLayers(
  layers: string[][],
  ups: Map<string, Segment[]>,
  downs: Map<string, Segment[]>,
  pull: (s: Segment) => number,
  dummyChains: readonly string[][],
): void {
  const position = new Map<string, number>();
  const index = () => {
    for (const layer of layers) layer.forEach((key, i) => position.set(key, i));
  };
  const crossings = () => {
    let total = 0;
    for (let l = 0; l + 1 < layers.length; l++) {
      const segs: { a: number; b: number; w: number }[] = [];
      for (const key of layers[l]!) for (const s of downs.get(key)!) segs.push({ a: position.get(s.upper)!, b: position.get(s.lower)!, w: pull(s) });
      for (let i = 0; i < segs.length; i++) {
        for (let j = i + 1; j < segs.length; j++) {
          const p = segs[i]!;
          const q = segs[j]!;
          if ((p.a - q.a) * (p.b - q.b) < 0) total += p.w * q.w;
        }
      }
    }
    return total;
  };
  const sortBy = (layer: string[], neighbours: (key: string) => { key: string; w: number }[]) => {
    const bary = new Map<string, number>();
    for (const key of layer) {
      let sw = 0;
      let sx = 0;
      for (const n of neighbours(key)) {
        sw += n.w;
        sx += n.w * position.get(n.key)!;
      }
      bary.set(key, sw > 0 ? sx / sw : position.get(key)!);
    }
    layer.sort((a, b) => bary.get(a)! - bary.get(b)!);
    layer.forEach((key, i) => position.set(key, i));
  };
  /** Weighted crossings between the segments of two adjacent layers' vertices a and b, a left of b. */
  const pairCrossings = (a: string, b: string) => {
    let total = 0;
    for (const [side, other] of [
      [downs, 'lower'],
      [ups, 'upper'],
    ] as const) {
      for (const sa of side.get(a)!) {
        for (const sb of side.get(b)!) {
          if (position.get(sa[other])! > position.get(sb[other])!) total += pull(sa) * pull(sb);
        }
      }
    }
    return total;
  };
  /** Swaps neighbours in a layer while that removes crossings (graphviz's "transpose" step). */
  const transpose = () => {
    let improved = true;
    for (let round = 0; round < 8 && improved; round++) {
      improved = false;
      for (const layer of layers) {
        for (let i = 0; i + 1 < layer.length; i++) {
          const a = layer[i]!;
          const b = layer[i + 1]!;
          if (pairCrossings(b, a) < pairCrossings(a, b) - 1e-9) {
            layer[i] = b;
            layer[i + 1] = a;
            position.set(b, i);
            position.set(a, i + 1);
            improved = true;
          }
        }
      }
    }
  };
  index();
  // First pass: place each layer by its predecessors, so the initial order already follows the flow.
  for (let l = 1; l < layers.length; l++) sortBy(layers[l]!, (k) => ups.get(k)!.map((s) => ({ key: s.upper, w: pull(s) })));
  let best = layers.map((l) => [...l]);
  let bestCrossings = crossings();
  for (let iteration = 0; iteration < 24 && bestCrossings > 0; iteration++) {
    if (iteration % 2 === 0) {
      for (let l = layers.length - 2; l >= 0; l--) sortBy(layers[l]!, (k) => downs.get(k)!.map((s) => ({ key: s.lower, w: pull(s) })));
    } else {
      for (let l = 1; l < layers.length; l++) sortBy(layers[l]!, (k) => ups.get(k)!.map((s) => ({ key: s.upper, w: pull(s) })));
    }
    transpose();
    const c = crossings();
    if (c < bestCrossings) {
      bestCrossings = c;
      best = layers.map((l) => [...l]);
    }
  }
  best.forEach((l, i) => {
    layers[i] = l;
  });
  index();

  // Sifting whole long edges: a detour may belong on the other side of the main column, which no
  // sequence of single swaps finds (each swap alone adds a crossing). Try each chain at the far
  // left and far right of all its layers at once, keep what lowers the crossings.
  const layerOf = new Map<string, number>();
  layers.forEach((layer, l) => layer.forEach((k) => layerOf.set(k, l)));
  let current = crossings();
  for (let round = 0; round < 2; round++) {
    for (const chain of dummyChains) {
      const saved = chain.map((k) => [...layers[layerOf.get(k)!]!]);
      for (const side of ['left', 'right'] as const) {
        for (const k of chain) {
          const layer = layers[layerOf.get(k)!]!;
          layer.splice(layer.indexOf(k), 1);
          if (side === 'left') layer.unshift(k);
          else layer.push(k);
        }
        index();
        const c = crossings();
        if (c < current - 1e-9) {
          current = c;
          chain.forEach((k, i) => {
            saved[i] = [...layers[layerOf.get(k)!]!];
          });
        } else {
          chain.forEach((k, i) => {
            layers[layerOf.get(k)!] = [...saved[i]!];
          });
          index();
        }
      }
    }
    transpose();
    current = crossings();
  }
}

/** The weighted median of positions: one neighbour holding most of the weight decides alone, which aligns the main flow. */
function weightedMedian(points: readonly { x: number; w: number }[]): number {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  let total = 0;
  for (const p of sorted) total += p.w;
  let acc = 0;
  for (let i = 0; i < sorted.length; i++) {
    acc += sorted[i]!.w;
    if (acc > total / 2 + 1e-9) return sorted[i]!.x;
    if (Math.abs(acc - total / 2) <= 1e-9) return (sorted[i]!.x + sorted[i + 1]!.x) / 2;
  }
  return sorted[sorted.length - 1]!.x;
}

/**
 * Weighted isotonic regression (pool adjacent violators): the non-decreasing sequence closest to
 * `targets` in weighted least squares. With positions shifted by the minimum spacings, "non-
 * decreasing" is exactly "no two boxes of a layer overlap", so this places a layer optimally.
 */
export function isotonic(targets: readonly number[], weights: readonly number[]): number[] {
  const blocks: { value: number; weight: number; size: number }[] = [];
  for (let i = 0; i < targets.length; i++) {
    blocks.push({ value: targets[i]!, weight: weights[i]!, size: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.value > blocks[blocks.length - 1]!.value) {
      const b = blocks.pop()!;
      const a = blocks.pop()!;
      const weight = a.weight + b.weight;
      blocks.push({ value: (a.value * a.weight + b.value * b.weight) / weight, weight, size: a.size + b.size });
    }
  }
  const out: number[] = [];
  for (const b of blocks) for (let i = 0; i < b.size; i++) out.push(b.value);
  return out;
}
