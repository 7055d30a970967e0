/**
 * A grouped bar chart in plain SVG: a few dozen lines instead of a chart library (the reports
 * need bars and nothing else, and a library would weigh more than the whole console). The numbers
 * are also in the table beside every chart, which is what screen readers get.
 */
export interface Series {
  name: string;
  values: number[];
}

const COLOURS = ['#2f6fde', '#1f9d55', '#c2410c', '#7c3aed', '#0e7490', '#a16207'];

export function BarChart({ title, labels, series, height = 180 }: { title: string; labels: string[]; series: Series[]; height?: number }) {
  // A value that is not a number (a report field the chart does not know) draws as 0, never as NaN.
  const numberOf = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const max = Math.max(1, ...series.flatMap((s) => s.values.map(numberOf)));
  const groupWidth = Math.max(16, Math.min(60, 640 / Math.max(1, labels.length)));
  const barWidth = Math.max(3, (groupWidth - 4) / Math.max(1, series.length));
  const width = 40 + labels.length * groupWidth;
  const plot = height - 30;
  return (
    <figure className="chart">
      <svg role="img" aria-label={title} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
        <line x1={38} y1={4} x2={38} y2={plot} stroke="#888" />
        <line x1={38} y1={plot} x2={width} y2={plot} stroke="#888" />
        <text x={34} y={12} textAnchor="end" fontSize="10">
          {max}
        </text>
        <text x={34} y={plot} textAnchor="end" fontSize="10">
          0
        </text>
        {labels.map((label, i) => (
          <g key={label} transform={`translate(${40 + i * groupWidth},0)`}>
            {series.map((s, j) => {
              const v = numberOf(s.values[i]);
              const h = (v / max) * (plot - 8);
              return (
                <rect key={s.name} x={j * barWidth} y={plot - h} width={barWidth - 1} height={h} fill={COLOURS[j % COLOURS.length]}>
                  <title>{`${s.name} ${label}: ${v}`}</title>
                </rect>
              );
            })}
            {(labels.length <= 16 || i % Math.ceil(labels.length / 16) === 0) && (
              <text x={groupWidth / 2} y={plot + 14} textAnchor="middle" fontSize="10">
                {label.length > 10 ? label.slice(5) : label}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption>
        {title}:{' '}
        {series.map((s, j) => (
          <span key={s.name} className="legend">
            <span className="swatch" data-colour={j % COLOURS.length} /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
