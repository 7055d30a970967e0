import type { ActivityCount, DirectlyFollowsGraph } from '../../functions/core/mining/analysis.js';
import { quantileSorted } from '../../functions/core/mining/stats.js';
import { escapeXml } from '../../functions/core/mining/xml.js';
import { formatCount, formatDuration } from './format.js';
import { elkLayout } from './layout-elk.js';
import type { Cubic, LayoutEngine, MapEdge, MapNode, Point } from './map-layout.js';
import { textWidth, wrapLabel } from './text-metrics.js';

/**
 * The directly-follows graph as a self-contained SVG process map, in the manner of Disco and
 * bupaR: boxes shaded by how often the activity happens, arrows as thick as their frequency and
 * labelled with it and the median time between the two steps, from a start node to an end node.
 * The slowest transitions' times are set in red: that is where cases wait.
 */

export interface ProcessMapInput {
  activities: readonly ActivityCount[];
  dfg: DirectlyFollowsGraph;
}

export interface ProcessMapOptions {
  /** Hide edges seen fewer times than this (activities left without edges are hidden too). */
  minEdgeCount?: number;
  title?: string;
  /** One line under the title (cases, events, filter). */
  subtitle?: string;
  /** Places the boxes and routes the edges (default: ELK's layered layout). */
  layout?: LayoutEngine;
}

const START = '\u0000start';
const END = '\u0000end';
const FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif";
const NAME_SIZE = 13;
const COUNT_SIZE = 11;
const LABEL_SIZE = 11;
const BOX_HEIGHT_ONE_LINE = 42;
const BOX_HEIGHT_TWO_LINES = 56;
const ROUND = 30;
const MAX_STROKE = 9;
const MIN_STROKE = 1.2;
/** Label boxes: white padding either side of the text, and their height. */
const LABEL_PAD = 2;
const LABEL_HEIGHT = 15;

/** Two colours mixed: t = 0 gives `a`, 1 gives `b`. */
function mix(a: string, b: string, t: number): string {
  const pa = [1, 3, 5].map((i) => parseInt(a.slice(i, i + 2), 16));
  const pb = [1, 3, 5].map((i) => parseInt(b.slice(i, i + 2), 16));
  return `#${pa
    .map((v, i) =>
      Math.round(v + (pb[i]! - v) * Math.min(1, Math.max(0, t)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

interface EdgeView {
  id: string;
  from: string;
  to: string;
  count: number;
  medianMs?: number;
  label: { count: string; time?: string };
  thickness: number;
  labelWidth: number;
}

export async function renderProcessMap(input: ProcessMapInput, options: ProcessMapOptions = {}): Promise<string> {
  const minEdge = Math.max(1, options.minEdgeCount ?? 1);

  const kept = input.dfg.edges.filter((e) => e.count >= minEdge);
  const starts = input.dfg.startActivities.filter((s) => s.count >= minEdge);
  const ends = input.dfg.endActivities.filter((s) => s.count >= minEdge);
  const flows = kept.filter((e) => e.from !== e.to);

  // An activity stays on the map while some kept edge touches it; an activity with no edges at all
  // (a one-event log) still shows, so the map never silently drops what the log contains.
  const visible = new Set<string>();
  for (const e of kept) {
    visible.add(e.from);
    visible.add(e.to);
  }
  for (const s of [...starts, ...ends]) visible.add(s.activity);
  if (minEdge <= 1) for (const a of input.activities) visible.add(a.activity);
  const activities = input.activities.filter((a) => visible.has(a.activity));

  const maxFlow = Math.max(1, ...flows.map((e) => e.count), ...starts.map((s) => s.count), ...ends.map((s) => s.count));
  const thicknessOf = (count: number) => round1(MIN_STROKE + (MAX_STROKE - MIN_STROKE) * Math.sqrt(count / maxFlow));
  // Only transitions with some volume compete for "slowest": a single odd case is not a bottleneck.
  const substantial = (count: number) => count >= Math.max(2, maxFlow / 100);
  const times = flows
    .filter((e) => substantial(e.count))
    .map((e) => e.medianMs)
    .sort((a, b) => a - b);
  const slowFrom = times.length >= 5 ? quantileSorted(times, 0.9) : Number.POSITIVE_INFINITY;
  const maxActivity = Math.max(1, ...activities.map((a) => a.count));

  const labelText = (count: number, medianMs?: number) => ({
    count: formatCount(count),
    ...(medianMs !== undefined ? { time: formatDuration(medianMs) } : {}),
  });
  const widthOfLabel = (l: { count: string; time?: string }) =>
    Math.ceil(textWidth(l.count, LABEL_SIZE, true) + (l.time ? textWidth(` · ${l.time}`, LABEL_SIZE) : 0));

  const edges: EdgeView[] = [];
  // Self-loops (rework of one step) are edges like the others: the layout places them and their labels.
  kept.forEach((e, i) => {
    const label = labelText(e.count, e.medianMs);
    edges.push({
      id: `e${i}`,
      from: e.from,
      to: e.to,
      count: e.count,
      medianMs: e.medianMs,
      label,
      thickness: thicknessOf(e.count),
      labelWidth: widthOfLabel(label),
    });
  });
  for (const s of starts) {
    const label = labelText(s.count);
    edges.push({ id: `s:${s.activity}`, from: START, to: s.activity, count: s.count, label, thickness: thicknessOf(s.count), labelWidth: widthOfLabel(label) });
  }
  for (const s of ends) {
    const label = labelText(s.count);
    edges.push({ id: `t:${s.activity}`, from: s.activity, to: END, count: s.count, label, thickness: thicknessOf(s.count), labelWidth: widthOfLabel(label) });
  }

  const boxes = new Map<string, { lines: string[]; width: number; height: number }>();
  for (const a of activities) {
    const lines = wrapLabel(a.activity, 26);
    const width = Math.max(120, Math.ceil(Math.max(...lines.map((l) => textWidth(l, NAME_SIZE, true)), textWidth(formatCount(a.count), COUNT_SIZE)) + 28));
    boxes.set(a.activity, { lines, width, height: lines.length > 1 ? BOX_HEIGHT_TWO_LINES : BOX_HEIGHT_ONE_LINE });
  }

  const layoutNodes: MapNode[] = [
    { id: START, width: ROUND, height: ROUND, round: true },
    ...activities.map((a) => ({ id: a.activity, width: boxes.get(a.activity)!.width, height: boxes.get(a.activity)!.height })),
    { id: END, width: ROUND, height: ROUND, round: true },
  ];
  const layoutEdges: MapEdge[] = edges.map((e) => ({
    id: e.id,
    from: e.from,
    to: e.to,
    weight: e.count,
    labelWidth: e.labelWidth + LABEL_PAD * 2,
    labelHeight: LABEL_HEIGHT,
    thickness: e.thickness,
  }));
  const layout = await (options.layout ?? elkLayout)({ nodes: layoutNodes, edges: layoutEdges, startId: START, endId: END, margin: 24 });

  const headerHeight = options.title || options.subtitle ? 74 : 0;
  const hidden = input.dfg.edges.length - kept.length;
  const legend =
    'Arrows: width and first number = how often one step directly followed the other, second number = median time between them' +
    (Number.isFinite(slowFrom) ? ' (red: slowest 10 %)' : '') +
    ' · brown = back to an earlier step or the same one' +
    (hidden > 0 ? ` · ${formatCount(hidden)} transitions below ${formatCount(minEdge)} hidden` : '');
  // Wide enough for the header too: a narrow map must not cut its own legend off.
  const headerWidth = headerHeight
    ? 48 + Math.max(textWidth(options.title ?? 'Process map', 18, true), textWidth(options.subtitle ?? '', 12), textWidth(legend, 11))
    : 0;
  const width = Math.ceil(Math.max(layout.width, headerWidth, 560));
  const height = Math.ceil(layout.height + headerHeight + 8);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}">`);
  out.push(`<title>${escapeXml(options.title ?? 'Process map')}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (headerHeight) {
    out.push(`<text x="24" y="32" font-size="18" font-weight="bold" fill="#1d2733">${escapeXml(options.title ?? 'Process map')}</text>`);
    if (options.subtitle) out.push(`<text x="24" y="52" font-size="12" fill="#4a5563">${escapeXml(options.subtitle)}</text>`);
    out.push(`<text x="24" y="68" font-size="11" fill="#6b7480">${escapeXml(legend)}</text>`);
  }
  out.push(`<g transform="translate(0 ${headerHeight})">`);

  // Edges: lightest first, so heavy flows are drawn on top.
  const centre = (id: string) => layout.nodes.get(id)!;
  const labelMarkup: string[] = [];
  for (const view of [...edges].sort((a, b) => a.count - b.count)) {
    const placed = layout.edges.get(view.id)!;
    const ratio = Math.sqrt(view.count / maxFlow);
    // Rework: a step repeated, or an arrow that climbs back to a step drawn above.
    const backward = view.from === view.to || centre(view.to).y < centre(view.from).y - 1;
    const colour = backward ? mix('#e0b98a', '#9a5b13', ratio) : mix('#b9c3ce', '#24384d', ratio);
    const isEndpoint = view.from === START || view.to === END;
    const arrow = arrowHead(placed.start, placed.curves, view.thickness);
    const what =
      view.from === view.to ? `${view.from} repeated directly: ${view.label.count}` : `${nameOf(view.from)} → ${nameOf(view.to)}: ${view.label.count}`;
    out.push(
      `<path d="${curvePath(placed.start, arrow.curves)}" fill="none" stroke="${colour}" stroke-width="${view.thickness}" ${isEndpoint ? ` stroke-linecap="butt" stroke-dasharray="${round1(4 + view.thickness)} ${round1(3 + view.thickness / 2)}"` : ' stroke-linecap="round"'}><title>${escapeXml(`${what}${view.label.time ? ` · median ${view.label.time}` : ''}`)}</title></path>`,
    );
    out.push(`<path d="${arrow.head}" fill="${colour}"/>`);
    const slow = view.medianMs !== undefined && view.medianMs >= slowFrom && substantial(view.count);
    labelMarkup.push(edgeLabel(placed.label, view.label, slow));
  }

  out.push(...labelMarkup);

  for (const a of activities) {
    const node = centre(a.activity);
    const box = boxes.get(a.activity)!;
    const ratio = Math.sqrt(a.count / maxActivity);
    const fill = mix('#eaf2fb', '#1f5fa8', ratio);
    const ink = ratio > 0.55 ? '#ffffff' : '#14202e';
    const sub = ratio > 0.55 ? '#dce8f6' : '#3d4c5c';
    const x = node.x - box.width / 2;
    const y = node.y - box.height / 2;
    out.push(`<g><title>${escapeXml(`${a.activity}: ${formatCount(a.count)} events in ${formatCount(a.cases)} cases`)}</title>`);
    out.push(
      `<rect x="${round1(x)}" y="${round1(y)}" width="${box.width}" height="${box.height}" rx="7" fill="${fill}" stroke="${mix(fill, '#0b2540', 0.35)}" stroke-width="1.2"/>`,
    );
    box.lines.forEach((line, i) => {
      const ty = y + 18 + i * 15;
      out.push(
        `<text x="${round1(node.x)}" y="${round1(ty)}" font-size="${NAME_SIZE}" font-weight="bold" fill="${ink}" text-anchor="middle">${escapeXml(line)}</text>`,
      );
    });
    out.push(
      `<text x="${round1(node.x)}" y="${round1(y + box.height - 8)}" font-size="${COUNT_SIZE}" fill="${sub}" text-anchor="middle">${escapeXml(formatCount(a.count))}</text></g>`,
    );
  }
  const start = centre(START);
  const end = centre(END);
  out.push(
    `<g><title>start</title><circle cx="${round1(start.x)}" cy="${round1(start.y)}" r="${ROUND / 2}" fill="#2f8f57"/><path d="M ${round1(start.x - 4)} ${round1(start.y - 7)} L ${round1(start.x + 7)} ${round1(start.y)} L ${round1(start.x - 4)} ${round1(start.y + 7)} Z" fill="#ffffff"/></g>`,
  );
  out.push(
    `<g><title>end</title><circle cx="${round1(end.x)}" cy="${round1(end.y)}" r="${ROUND / 2}" fill="#26323f"/><rect x="${round1(end.x - 6)}" y="${round1(end.y - 6)}" width="12" height="12" fill="#ffffff"/></g>`,
  );
  out.push('</g>', '</svg>', '');
  return out.join('\n');
}

function nameOf(id: string): string {
  return id === START ? 'start' : id === END ? 'end' : id;
}

function edgeLabel(topLeft: Point, label: { count: string; time?: string }, slow: boolean): string {
  const w = textWidth(label.count, LABEL_SIZE, true) + (label.time ? textWidth(` · ${label.time}`, LABEL_SIZE) : 0);
  const time = label.time
    ? `<tspan fill="#6b7480" font-weight="normal"> · </tspan><tspan fill="${slow ? '#c0392b' : '#4a5563'}" font-weight="${slow ? 'bold' : 'normal'}">${escapeXml(label.time)}</tspan>`
    : '';
  return (
    `<rect x="${round1(topLeft.x)}" y="${round1(topLeft.y)}" width="${round1(w + LABEL_PAD * 2)}" height="${LABEL_HEIGHT}" rx="3" fill="#ffffff" fill-opacity="0.85"/>` +
    `<text x="${round1(topLeft.x + LABEL_PAD)}" y="${round1(topLeft.y + 11.5)}" font-size="${LABEL_SIZE}" font-weight="bold" fill="#1d2733">${escapeXml(label.count)}${time}</text>`
  );
}

function curvePath(start: Point, curves: readonly Cubic[]): string {
  const p = (q: Point) => `${round1(q.x)} ${round1(q.y)}`;
  return [`M ${p(start)}`, ...curves.map(([c1, c2, to]) => `C ${p(c1)} ${p(c2)} ${p(to)}`)].join(' ');
}

/**
 * The arrowhead at the end of the last segment, pointing along its final tangent, and the
 * segments with their end pulled back under the head so a thick line does not poke through it.
 */
function arrowHead(start: Point, curves: readonly Cubic[], thickness: number): { curves: Cubic[]; head: string } {
  const last = curves[curves.length - 1]!;
  const tip = last[2];
  const from = curves.length > 1 ? curves[curves.length - 2]![2] : start;
  const behind = [last[1], last[0], from].find((q) => Math.hypot(tip.x - q.x, tip.y - q.y) > 0.5) ?? { x: tip.x, y: tip.y - 1 };
  const d = Math.hypot(tip.x - behind.x, tip.y - behind.y);
  const ux = (tip.x - behind.x) / d;
  const uy = (tip.y - behind.y) / d;
  const length = 7 + thickness * 1.2;
  const half = 3.5 + thickness * 0.7;
  const base = { x: tip.x - ux * length, y: tip.y - uy * length };
  const back = length - 1;
  const end = { x: tip.x - ux * back, y: tip.y - uy * back };
  const c2 = { x: last[1].x - ux * back, y: last[1].y - uy * back };
  return { curves: [...curves.slice(0, -1), [last[0], c2, end]], head: polygon(tipPolygon(base, tip, half)) };
}

function tipPolygon(base: Point, tip: Point, half: number): Point[] {
  const dx = tip.x - base.x;
  const dy = tip.y - base.y;
  const len = Math.hypot(dx, dy) || 1;
  const nx = -dy / len;
  const ny = dx / len;
  return [tip, { x: base.x + nx * half, y: base.y + ny * half }, { x: base.x - nx * half, y: base.y - ny * half }];
}

function polygon(points: readonly Point[]): string {
  return `M ${points.map((p) => `${round1(p.x)} ${round1(p.y)}`).join(' L ')} Z`;
}
