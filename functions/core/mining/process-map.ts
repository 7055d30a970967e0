import type { ActivityCount, DirectlyFollowsGraph } from './analysis.js';
import { formatCount, formatDuration } from './format.js';
import { layoutLayered, type LayoutEdge, type LayoutNode, type Point } from './layered-layout.js';
import { quantileSorted } from './stats.js';
import { textWidth, wrapLabel } from './text-metrics.js';
import { escapeXml } from './xml.js';

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
const LOOP_REACH = 30;
const MAX_STROKE = 9;
const MIN_STROKE = 1.2;

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

export function renderProcessMap(input: ProcessMapInput, options: ProcessMapOptions = {}): string {
  const minEdge = Math.max(1, options.minEdgeCount ?? 1);

  const kept = input.dfg.edges.filter((e) => e.count >= minEdge);
  const starts = input.dfg.startActivities.filter((s) => s.count >= minEdge);
  const ends = input.dfg.endActivities.filter((s) => s.count >= minEdge);
  const selfLoops = new Map(kept.filter((e) => e.from === e.to).map((e) => [e.from, e]));
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
  flows.forEach((e, i) => {
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
  const loopLabel = (activity: string) => {
    const loop = selfLoops.get(activity);
    return loop ? labelText(loop.count, loop.medianMs) : undefined;
  };

  const layoutNodes: LayoutNode[] = [
    { id: START, width: ROUND, height: ROUND, round: true },
    ...activities.map((a) => {
      const box = boxes.get(a.activity)!;
      const loop = loopLabel(a.activity);
      return { id: a.activity, width: box.width, height: box.height, ...(loop ? { rightExtra: LOOP_REACH + 8 + widthOfLabel(loop) } : {}) };
    }),
    { id: END, width: ROUND, height: ROUND, round: true },
  ];
  const layoutEdges: LayoutEdge[] = edges.map((e) => ({
    id: e.id,
    from: e.from,
    to: e.to,
    weight: e.count,
    labelWidth: e.labelWidth,
    labelHeight: 14,
    thickness: e.thickness,
  }));
  const layout = layoutLayered(layoutNodes, layoutEdges, { startId: START, endId: END, margin: 24 });

  const headerHeight = options.title || options.subtitle ? 74 : 0;
  const width = Math.max(Math.ceil(layout.width), 560);
  const height = Math.ceil(layout.height + headerHeight + 8);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}">`);
  out.push(`<title>${escapeXml(options.title ?? 'Process map')}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (headerHeight) {
    out.push(`<text x="24" y="32" font-size="18" font-weight="bold" fill="#1d2733">${escapeXml(options.title ?? 'Process map')}</text>`);
    if (options.subtitle) out.push(`<text x="24" y="52" font-size="12" fill="#4a5563">${escapeXml(options.subtitle)}</text>`);
    const hidden = input.dfg.edges.length - kept.length;
    const legend =
      'Arrows: width and first number = how often one step directly followed the other, second number = median time between them' +
      (Number.isFinite(slowFrom) ? ' (red: slowest 10 %)' : '') +
      ' · brown = back to an earlier step' +
      (hidden > 0 ? ` · ${formatCount(hidden)} transitions below ${formatCount(minEdge)} hidden` : '');
    out.push(`<text x="24" y="68" font-size="11" fill="#6b7480">${escapeXml(legend)}</text>`);
  }
  out.push(`<g transform="translate(0 ${headerHeight})">`);

  // Edges: lightest first, so heavy flows are drawn on top.
  const viewById = new Map(edges.map((e) => [e.id, e]));
  const placedEdges = [...layout.edges].sort((a, b) => viewById.get(a.id)!.count - viewById.get(b.id)!.count);
  const labelMarkup: string[] = [];
  for (const placed of placedEdges) {
    const view = viewById.get(placed.id)!;
    const ratio = Math.sqrt(view.count / maxFlow);
    const colour = placed.backward ? mix('#e0b98a', '#9a5b13', ratio) : mix('#b9c3ce', '#24384d', ratio);
    const isEndpoint = view.from === START || view.to === END;
    const arrow = arrowHead(placed.points, view.thickness);
    out.push(
      `<path d="${splinePath(arrow.trimmed)}" fill="none" stroke="${colour}" stroke-width="${view.thickness}" ${isEndpoint ? ` stroke-linecap="butt" stroke-dasharray="${round1(4 + view.thickness)} ${round1(3 + view.thickness / 2)}"` : ' stroke-linecap="round"'}><title>${escapeXml(`${nameOf(view.from)} → ${nameOf(view.to)}: ${view.label.count}${view.label.time ? ` · median ${view.label.time}` : ''}`)}</title></path>`,
    );
    out.push(`<path d="${arrow.head}" fill="${colour}"/>`);
    const slow = view.medianMs !== undefined && view.medianMs >= slowFrom && substantial(view.count);
    labelMarkup.push(edgeLabel(placed.label, view.label, slow));
  }

  for (const a of activities) {
    const node = layout.nodes.get(a.activity)!;
    const box = boxes.get(a.activity)!;
    const loop = selfLoops.get(a.activity);
    if (loop) {
      const right = node.x + box.width / 2;
      const thickness = thicknessOf(loop.count);
      const ratio = Math.sqrt(loop.count / maxFlow);
      const colour = mix('#e0b98a', '#9a5b13', ratio);
      const top = node.y - box.height / 4;
      const bottom = node.y + box.height / 4;
      const tipX = right + 1;
      const length = 7 + thickness * 1.2;
      out.push(
        `<path d="M ${round1(right)} ${round1(top)} C ${round1(right + LOOP_REACH)} ${round1(top - 14)} ${round1(right + LOOP_REACH)} ${round1(bottom + 14)} ${round1(tipX + length * 0.8)} ${round1(bottom + length * 0.35)}" fill="none" stroke="${colour}" stroke-width="${thickness}" stroke-linecap="round"><title>${escapeXml(`${a.activity} repeated directly: ${formatCount(loop.count)} · median ${formatDuration(loop.medianMs)}`)}</title></path>`,
      );
      const half = 3.5 + thickness * 0.7;
      out.push(`<path d="${polygon(tipPolygon({ x: tipX + length * 0.92, y: bottom + length * 0.4 }, { x: tipX, y: bottom }, half))}" fill="${colour}"/>`);
      const slow = loop.medianMs >= slowFrom && substantial(loop.count);
      labelMarkup.push(edgeLabel({ x: right + LOOP_REACH + 6, y: node.y }, labelText(loop.count, loop.medianMs), slow));
    }
  }

  out.push(...labelMarkup);

  for (const a of activities) {
    const node = layout.nodes.get(a.activity)!;
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
  const start = layout.nodes.get(START)!;
  const end = layout.nodes.get(END)!;
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

function edgeLabel(at: Point, label: { count: string; time?: string }, slow: boolean): string {
  const w = textWidth(label.count, LABEL_SIZE, true) + (label.time ? textWidth(` · ${label.time}`, LABEL_SIZE) : 0);
  const time = label.time
    ? `<tspan fill="#6b7480" font-weight="normal"> · </tspan><tspan fill="${slow ? '#c0392b' : '#4a5563'}" font-weight="${slow ? 'bold' : 'normal'}">${escapeXml(label.time)}</tspan>`
    : '';
  return (
    `<rect x="${round1(at.x - 2)}" y="${round1(at.y - 8)}" width="${round1(w + 4)}" height="15" rx="3" fill="#ffffff" fill-opacity="0.85"/>` +
    `<text x="${round1(at.x)}" y="${round1(at.y + 4)}" font-size="${LABEL_SIZE}" font-weight="bold" fill="#1d2733">${escapeXml(label.count)}${time}</text>`
  );
}

/** A smooth path through the points, vertical at each of them (the flow runs top to bottom). */
function splinePath(points: readonly Point[]): string {
  const p0 = points[0]!;
  const parts = [`M ${round1(p0.x)} ${round1(p0.y)}`];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const dy = (b.y - a.y) / 2;
    parts.push(`C ${round1(a.x)} ${round1(a.y + dy)} ${round1(b.x)} ${round1(b.y - dy)} ${round1(b.x)} ${round1(b.y)}`);
  }
  return parts.join(' ');
}

/** The arrowhead at the last point, and the points with the last one pulled back under it. */
function arrowHead(points: readonly Point[], thickness: number): { trimmed: Point[]; head: string } {
  const tip = points[points.length - 1]!;
  const before = points[points.length - 2]!;
  const direction = Math.sign(tip.y - before.y) || 1;
  const length = 7 + thickness * 1.2;
  const half = 3.5 + thickness * 0.7;
  const base = { x: tip.x, y: tip.y - direction * length };
  const trimmed = [...points.slice(0, -1), { x: tip.x, y: base.y + direction * 1 }];
  return { trimmed, head: polygon(tipPolygon(base, tip, half)) };
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
