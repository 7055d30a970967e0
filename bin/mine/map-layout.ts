/**
 * What the process-map renderer asks of a graph layout, and what it gets back. The renderer
 * measures boxes and labels; a layout engine places them and routes every edge (self-loops
 * included) as cubic Bézier segments, so the renderer draws whatever the engine decided.
 */

export interface Point {
  x: number;
  y: number;
}

export interface MapNode {
  id: string;
  width: number;
  height: number;
  /** Drawn as a circle (the start and end nodes). */
  round?: boolean;
}

export interface MapEdge {
  id: string;
  from: string;
  /** Equal to `from` for a self-loop. */
  to: string;
  /** Frequency: heavier edges should run shorter and straighter. */
  weight: number;
  /** The label box (frequency and median time). */
  labelWidth: number;
  labelHeight: number;
  /** Stroke width, so that parallel edges can keep apart. */
  thickness: number;
}

/** One cubic Bézier segment: two control points and the end point (it starts where the previous one ended). */
export type Cubic = readonly [Point, Point, Point];

export interface PlacedEdge {
  id: string;
  start: Point;
  /** At least one segment; the last one ends at the target's border, where the arrowhead goes. */
  curves: Cubic[];
  /** Top-left corner of the label box. */
  label: Point;
}

export interface MapLayout {
  width: number;
  height: number;
  /** Node centres. */
  nodes: Map<string, Point>;
  edges: Map<string, PlacedEdge>;
}

export interface LayoutRequest {
  nodes: readonly MapNode[];
  edges: readonly MapEdge[];
  /** The start node goes on the first layer, the end node on the last. */
  startId: string;
  endId: string;
  margin: number;
}

export type LayoutEngine = (request: LayoutRequest) => Promise<MapLayout>;

/** A straight segment as a cubic (control points a third of the way along). */
export function line(from: Point, to: Point): Cubic {
  return [
    { x: from.x + (to.x - from.x) / 3, y: from.y + (to.y - from.y) / 3 },
    { x: from.x + ((to.x - from.x) * 2) / 3, y: from.y + ((to.y - from.y) * 2) / 3 },
    to,
  ];
}
