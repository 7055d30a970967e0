/**
 * Erlang C: the M/M/c queue (Poisson arrivals at rate λ, c servers, exponential service at rate μ
 * each, one waiting line served first come first served). The simulator is checked against it, and
 * staffing starts from it.
 *
 * With offered load a = λ/μ (< c):
 *   Erlang B by the stable recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1));
 *   C(c, a) = c·B / (c − a·(1 − B))          the probability that an arrival waits;
 *   E[W] = C / (cμ − λ)                       the mean wait;
 *   P(W ≤ t) = 1 − C·e^(−(cμ − λ)·t)          the share answered within t.
 */

export function erlangB(servers: number, load: number): number {
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (load * b) / (k + load * b);
  return b;
}

/** Probability of waiting in M/M/c; 1 when the load is at or above the servers (the queue grows without bound). */
export function erlangC(servers: number, load: number): number {
  if (load >= servers) return 1;
  if (load <= 0) return 0;
  const b = erlangB(servers, load);
  return (servers * b) / (servers - load * (1 - b));
}

export interface MmcFigures {
  servers: number;
  /** λ/μ */
  load: number;
  /** λ/(cμ) */
  utilisation: number;
  probabilityOfWait: number;
  /** In the time unit of 1/rate; Infinity when unstable. */
  meanWait: number;
}

/** Figures of M/M/c for arrivals per unit time `arrivalRate` and mean service time `meanService` (same unit). */
export function mmc(servers: number, arrivalRate: number, meanService: number): MmcFigures {
  const load = arrivalRate * meanService;
  const stable = load < servers;
  const c = erlangC(servers, load);
  return {
    servers,
    load,
    utilisation: load / servers,
    probabilityOfWait: c,
    meanWait: stable ? (c * meanService) / (servers - load) : Number.POSITIVE_INFINITY,
  };
}

/** P(W ≤ t) in M/M/c. */
export function serviceLevel(servers: number, arrivalRate: number, meanService: number, t: number): number {
  const load = arrivalRate * meanService;
  if (load >= servers) return 0;
  return 1 - erlangC(servers, load) * Math.exp(-((servers - load) / meanService) * t);
}

/**
 * The fewest agents (each holding `perAgent` cases at once, i.e. perAgent servers) for which
 * P(W ≤ t) reaches `share`; the M/M/(c·k) reading of capacity per agent.
 */
export function agentsFor(arrivalRate: number, meanService: number, perAgent: number, share: number, t: number, max = 100_000): number {
  if (arrivalRate <= 0) return 0;
  const load = arrivalRate * meanService;
  let agents = Math.max(1, Math.floor(load / perAgent));
  while (agents <= max) {
    const servers = agents * perAgent;
    if (servers > load && serviceLevel(servers, arrivalRate, meanService, t) >= share) return agents;
    agents++;
  }
  return max;
}
