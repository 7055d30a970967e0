import type { Cubic, Point } from './map-layout.js';

/** A smooth curve through every point (a uniform Catmull-Rom spline as cubic Bézier segments). */
export function throughPoints(points: readonly Point[]): Cubic[] {
  const curves: Cubic[] = [];
  for (let i = 1; i < points.length; i++) {
    const p0 = points[Math.max(0, i - 2)]!;
    const p1 = points[i - 1]!;
    const p2 = points[i]!;
    const p3 = points[Math.min(points.length - 1, i + 1)]!;
    curves.push([
      { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 },
      { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 },
      { x: p2.x, y: p2.y },
    ]);
  }
  return curves;
}
