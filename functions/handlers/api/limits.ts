/** Requests the API function accepts; API Gateway's own limit (10 MB) is far above what the API needs. */
export const API_MAX_BODY_BYTES = 64 * 1024;
/**
 * A reply with files: 4 MB of files are 5.4 MB as base64, and Lambda takes 6 MB per request, headers
 * included (functions/core/use-cases/reply.ts, MAX_REPLY_FILE_BYTES).
 */
export const REPLY_MAX_BODY_BYTES = 5.5 * 1024 * 1024;
/** A routing configuration with a thousand agents and hundreds of rules is a few hundred KB. */
export const CONFIG_MAX_BODY_BYTES = 2 * 1024 * 1024;

export const API_MAX_BODY_KB = API_MAX_BODY_BYTES / 1024;
export const CONFIG_MAX_BODY_KB = CONFIG_MAX_BODY_BYTES / 1024;
