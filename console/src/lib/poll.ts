/** How often the console polls (set from the runtime config at start). */
let pollMs = 4000;
export const getPollMs = () => pollMs;
export const setPollMs = (ms: number) => {
  pollMs = ms;
};
