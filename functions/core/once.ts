/**
 * `build`, run on the first call and its result kept: for what is costly to make and needed only by
 * some invocations, such as the zod schemas built on first use rather than at import
 * (docs/costs.md#cold-start).
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
