/**
 * A port whose adapter, and the AWS SDK client under it, is imported on its first call instead of at
 * the function's start (docs/costs.md#cold-start): an API request that sends no mail never loads SES,
 * a function that publishes no alert never loads SNS. Every method of such a port returns a promise,
 * so callers cannot tell it from the adapter itself. `methods` names every method of the port (the
 * compiler checks that none is missing).
 *
 * The adapter is loaded once; a load that fails (a module that cannot be read) is tried again on the
 * next call rather than remembered.
 */
export function lazyPort<T extends object>(methods: { readonly [K in keyof T]-?: true }, load: () => Promise<T>): T {
  let loading: Promise<T> | undefined;
  const port: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of Object.keys(methods) as (keyof T & string)[]) {
    port[method] = async (...args: unknown[]) => {
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      const adapter = await loading;
      return (adapter[method] as (...a: unknown[]) => Promise<unknown>).apply(adapter, args);
    };
  }
  return port as T;
}
