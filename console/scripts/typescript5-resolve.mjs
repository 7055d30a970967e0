/** The resolve hook registered by typescript5.mjs: `typescript` imported by openapi-typescript is TypeScript 5. */
export async function resolve(specifier, context, next) {
  if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/openapi-typescript/')) return next('typescript5', context);
  return next(specifier, context);
}
