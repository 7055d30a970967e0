/**
 * The console's Content-Security-Policy, one list for both places that serve it: the local gateway
 * (lib/local/console.ts, where the API is the same origin) and CloudFront's response-headers policy
 * (lib/console-hosting.ts, where the API and Cognito's managed login are other origins). Nothing
 * inline and nothing evaluated: the build emits no inline script or style (console/vite.config.ts).
 */
export interface ConsoleCspOptions {
  /** Origins the app may call besides its own (the API, the Cognito domain's token endpoint). */
  readonly connect?: readonly string[];
  /** Ask the browser to upgrade any http:// subresource (only where the console is served over HTTPS). */
  readonly upgradeInsecureRequests?: boolean;
}

export function consoleCsp(options: ConsoleCspOptions = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ['connect-src', "'self'", ...(options.connect ?? [])].join(' '),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.upgradeInsecureRequests ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}
