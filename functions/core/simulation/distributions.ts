import { parseDuration, parseNumber, SimulationOptionError } from './options.js';

/**
 * Handle-time distributions: how long an agent holds a case. Named ones with their parameters
 * (`exponential:mean=PT30M`, `lognormal:mean=PT30M,sd=PT20M`, `gamma:shape=2,mean=PT30M`,
 * `erlang:k=3,mean=PT30M`, `uniform:min=PT5M,max=PT15M`, `fixed:PT10M`), or the empirical one of an
 * event log (resampled). Each samples from a source of uniforms in (0, 1), so the caller decides
 * which random numbers a case gets (see random.ts).
 */

export interface Distribution {
  /** How it was asked for, normalised (`exponential:mean=1800000ms`). */
  readonly description: string;
  /** Mean in milliseconds (for Erlang C and for people). */
  readonly mean: number;
  sample(random: () => number): number;
}

function exponential(mean: number): Distribution {
  return { description: `exponential(mean ${fmt(mean)})`, mean, sample: (r) => -mean * Math.log(r()) };
}

function normal(r: () => number): number {
  // Box–Muller: two uniforms, one normal (the second is dropped so each case uses a fixed count).
  return Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r());
}

function lognormalFromMeanSd(mean: number, sd: number): Distribution {
  const sigma2 = Math.log(1 + (sd * sd) / (mean * mean));
  const mu = Math.log(mean) - sigma2 / 2;
  const sigma = Math.sqrt(sigma2);
  return { description: `lognormal(mean ${fmt(mean)}, sd ${fmt(sd)})`, mean, sample: (r) => Math.exp(mu + sigma * normal(r)) };
}

/** Marsaglia and Tsang's method (shape ≥ 1); a shape below 1 is boosted by u^(1/shape). */
function gammaUnit(shape: number, r: () => number): number {
  if (shape < 1) return gammaUnit(shape + 1, r) * r() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(r);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = r();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function gamma(shape: number, mean: number, label = 'gamma'): Distribution {
  const scale = mean / shape;
  return { description: `${label}(shape ${shape}, mean ${fmt(mean)})`, mean, sample: (r) => scale * gammaUnit(shape, r) };
}

/** Resamples observed values (the bootstrap): each draw is one of them, equally likely. */
export function empirical(values: readonly number[], label = 'empirical'): Distribution {
  if (values.length === 0)
    throw new SimulationOptionError('--handle', 'the event log has no case with both an assignment and a resolution to take handle times from');
  const sorted = Float64Array.from(values).sort();
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    description: `${label} (${sorted.length} observed, mean ${fmt(mean)}, median ${fmt(sorted[Math.floor((sorted.length - 1) / 2)]!)})`,
    mean,
    sample: (r) => sorted[Math.min(sorted.length - 1, Math.floor(r() * sorted.length))]!,
  };
}

export const DISTRIBUTION_NAMES = ['exponential', 'lognormal', 'gamma', 'erlang', 'uniform', 'fixed'] as const;

/**
 * Parses `NAME:key=value,...`. Durations are ISO 8601 (`PT30M`) or `30m`, `1.5h`; `option` names
 * the option in errors.
 */
export function parseDistribution(spec: string, option = '--handle'): Distribution {
  const [rawName, rawParams = ''] = spec.split(/:(.*)/s, 2) as [string, string?];
  const name = rawName.trim().toLowerCase();
  const params = new Map<string, string>();
  const positional: string[] = [];
  for (const part of rawParams
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) positional.push(part);
    else params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const duration = (key: string, required = true): number | undefined => {
    const v = params.get(key);
    if (v === undefined) {
      if (required) throw new SimulationOptionError(option, `${name} needs ${key}= (e.g. ${example(name)})`);
      return undefined;
    }
    const ms = parseDuration(v, option);
    return ms;
  };
  const positive = (key: string, value: number | undefined) => {
    if (value === undefined || !(value > 0)) throw new SimulationOptionError(option, `${name}: ${key} must be more than zero`);
    return value;
  };
  const allowed = (...keys: string[]) => {
    for (const k of params.keys())
      if (!keys.includes(k)) throw new SimulationOptionError(option, `${name} takes ${keys.join(', ')}, not ${k} (e.g. ${example(name)})`);
  };

  switch (name) {
    case 'exponential':
    case 'exp': {
      allowed('mean');
      return exponential(positive('mean', duration('mean')));
    }
    case 'lognormal': {
      allowed('mean', 'sd');
      return lognormalFromMeanSd(positive('mean', duration('mean')), positive('sd', duration('sd')));
    }
    case 'gamma': {
      allowed('shape', 'mean');
      const shape = positive('shape', params.has('shape') ? parseNumber(params.get('shape')!, option) : undefined);
      return gamma(shape, positive('mean', duration('mean')));
    }
    case 'erlang': {
      allowed('k', 'mean');
      const k = params.has('k') ? parseNumber(params.get('k')!, option, 1) : undefined;
      if (k === undefined || !Number.isInteger(k)) throw new SimulationOptionError(option, `erlang needs a whole k ≥ 1 (e.g. ${example('erlang')})`);
      return gamma(k, positive('mean', duration('mean')), 'erlang');
    }
    case 'uniform': {
      allowed('min', 'max');
      const min = duration('min')!;
      const max = duration('max')!;
      if (!(max > min)) throw new SimulationOptionError(option, 'uniform: max must be above min');
      return { description: `uniform(${fmt(min)} to ${fmt(max)})`, mean: (min + max) / 2, sample: (r) => min + (max - min) * r() };
    }
    case 'fixed': {
      allowed('value');
      const text = params.get('value') ?? positional[0];
      if (text === undefined) throw new SimulationOptionError(option, `fixed needs a duration (e.g. ${example('fixed')})`);
      const value = positive('value', parseDuration(text, option));
      return { description: `fixed(${fmt(value)})`, mean: value, sample: () => value };
    }
    default:
      throw new SimulationOptionError(
        option,
        `unknown distribution "${rawName}"; use one of ${DISTRIBUTION_NAMES.join(', ')} (e.g. ${example('exponential')}), or empirical / log with an event log`,
      );
  }
}

function example(name: string): string {
  switch (name) {
    case 'lognormal':
      return 'lognormal:mean=PT30M,sd=PT20M';
    case 'gamma':
      return 'gamma:shape=2,mean=PT30M';
    case 'erlang':
      return 'erlang:k=3,mean=PT30M';
    case 'uniform':
      return 'uniform:min=PT5M,max=PT15M';
    case 'fixed':
      return 'fixed:PT10M';
    default:
      return 'exponential:mean=PT30M';
  }
}

/** Milliseconds for people: `1h 30m`, `45s`, `2.5 d`. */
export function fmt(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  if (abs >= 2 * 86_400_000) return `${(ms / 86_400_000).toFixed(1)} d`;
  if (abs >= 3_600_000) return `${(ms / 3_600_000).toFixed(abs >= 36_000_000 ? 1 : 2)} h`;
  if (abs >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (abs >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}
