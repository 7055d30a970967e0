import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elkLayout } from '../../bin/mine/layout-elk.js';
import { type LayoutEngine, type LayoutRequest, line, type MapLayout } from '../../bin/mine/map-layout.js';
import { renderProcessMap } from '../../bin/mine/process-map.js';
import { analyseTraces } from '../../functions/core/mining/analysis.js';
import { groupTraces, type MiningEvent } from '../../functions/core/mining/event-log.js';
import { measureMap } from '../support/map-metrics.js';

/** A layout engine that remembers what it was asked and what it answered. */
function recording(engine: LayoutEngine) {
  const seen: { request?: LayoutRequest; layout?: MapLayout } = {};
  const wrapped: LayoutEngine = async (request) => {
    seen.request = request;
    seen.layout = await engine(request);
    return seen.layout;
  };
  return { wrapped, seen };
}

describe('map measures', () => {
  // Boxes a, b on top and d, c below; e1 and e2 cross once in the open, e3 runs straight through b
  // and crosses e1; e2's label lies on e1's label and on the lines of e1 and e3; e3's label on box c.
  const request: LayoutRequest = {
    nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, width: 100, height: 40 })),
    edges: [
      { id: 'e1', from: 'a', to: 'c', weight: 4, labelWidth: 40, labelHeight: 15, thickness: 2 },
      { id: 'e2', from: 'b', to: 'd', weight: 9, labelWidth: 40, labelHeight: 15, thickness: 2 },
      { id: 'e3', from: 'a', to: 'd', weight: 1, labelWidth: 40, labelHeight: 15, thickness: 2 },
    ],
    startId: 'a',
    endId: 'd',
    margin: 0,
  };
  const layout: MapLayout = {
    width: 600,
    height: 400,
    nodes: new Map([
      ['a', { x: 50, y: 20 }],
      ['b', { x: 300, y: 20 }],
      ['c', { x: 550, y: 380 }],
      ['d', { x: 50, y: 380 }],
    ]),
    edges: new Map([
      ['e1', { id: 'e1', start: { x: 50, y: 40 }, curves: [line({ x: 50, y: 40 }, { x: 550, y: 360 })], label: { x: 260, y: 180 } }],
      ['e2', { id: 'e2', start: { x: 300, y: 40 }, curves: [line({ x: 300, y: 40 }, { x: 50, y: 360 })], label: { x: 270, y: 190 } }],
      [
        'e3',
        {
          id: 'e3',
          start: { x: 100, y: 20 },
          curves: [line({ x: 100, y: 20 }, { x: 600, y: 20 }), line({ x: 600, y: 20 }, { x: 50, y: 360 })],
          label: { x: 520, y: 372 },
        },
      ],
    ]),
  };

  it('count crossings, edges through boxes and covered labels', () => {
    const m = measureMap(request, layout);
    expect(m.crossings).toBe(2); // e1 × e2, and e3 on its way down crosses e1
    expect(m.edgesThroughBoxes).toBe(1); // e3 through b
    expect(m.labelOverlaps).toBe(1); // e1's and e2's labels
    expect(m.labelsOnBoxes).toBe(1); // e3's label on c
    expect(m.labelsOnOtherEdges).toBe(2); // e2's label lies on e1's line and on e3's
    expect(m.upwardFlowShare).toBe(0);
  });

  it('finds nothing wrong where nothing is', () => {
    const clean: MapLayout = {
      ...layout,
      nodes: new Map([
        ['a', { x: 50, y: 20 }],
        ['b', { x: 300, y: 20 }],
        ['c', { x: 550, y: 380 }],
        ['d', { x: 300, y: 380 }],
      ]),
      edges: new Map([
        ['e1', { id: 'e1', start: { x: 80, y: 40 }, curves: [line({ x: 80, y: 40 }, { x: 540, y: 360 })], label: { x: 408, y: 250 } }],
        ['e2', { id: 'e2', start: { x: 300, y: 40 }, curves: [line({ x: 300, y: 40 }, { x: 300, y: 360 })], label: { x: 305, y: 100 } }],
        [
          'e3',
          {
            id: 'e3',
            start: { x: 20, y: 40 },
            curves: [line({ x: 20, y: 40 }, { x: 20, y: 380 }), line({ x: 20, y: 380 }, { x: 250, y: 380 })],
            label: { x: 25, y: 200 },
          },
        ],
      ]),
    };
    const m = measureMap(request, clean);
    expect(m).toMatchObject({ edgesThroughBoxes: 0, labelOverlaps: 0, labelsOnBoxes: 0, labelsOnOtherEdges: 0, ambiguousLabels: 0 });
    // e1 crosses e2 once on its way down to c.
    expect(m.crossings).toBe(1);
  });
});

describe('the process map of any log', () => {
  const ACTIVITIES = ['register', 'check', 'ask customer', 'decide', 'close'];
  const trace = fc.array(fc.constantFrom(...ACTIVITIES), { minLength: 1, maxLength: 6 });

  it('puts no box on another, no label on a box or another label, and no edge through a box', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(trace, { minLength: 1, maxLength: 12 }), async (traces) => {
        const events: MiningEvent[] = traces.flatMap((activities, c) =>
          activities.map((activity, i) => ({ caseId: `c${c}`, activity, timestamp: Date.UTC(2026, 0, 1) + (c * 100 + i) * 60_000, attributes: {} })),
        );
        const analysis = analyseTraces(groupTraces(events));
        const { wrapped, seen } = recording(elkLayout);
        const svg = await renderProcessMap(analysis, { layout: wrapped, title: 't' });
        const request = seen.request!;
        const layout = seen.layout!;
        for (const e of analysis.dfg.edges) {
          expect(svg).toContain(escapeTitle(e.from === e.to ? `${e.from} repeated directly: ${e.count}` : `${e.from} → ${e.to}: ${e.count}`));
        }
        expect(layout.edges.size).toBe(request.edges.length);
        const boxes = request.nodes.map((n) => ({ ...n, ...layout.nodes.get(n.id)! }));
        for (const [i, p] of boxes.entries())
          for (const q of boxes.slice(i + 1)) {
            expect(Math.abs(p.x - q.x) >= (p.width + q.width) / 2 || Math.abs(p.y - q.y) >= (p.height + q.height) / 2).toBe(true);
          }
        const m = measureMap(request, layout);
        expect(m).toMatchObject({ edgesThroughBoxes: 0, labelOverlaps: 0, labelsOnBoxes: 0 });
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});

function escapeTitle(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
