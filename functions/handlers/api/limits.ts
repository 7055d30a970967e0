/** Requests the API function accepts; API Gateway's own limit (10 MB) is far above what the API needs. */
export const API_MAX_BODY_BYTES = 64 * 1024;
/** A routing configuration with a thousand agents and hundreds of rules is a few hundred KB. */
export const CONFIG_MAX_BODY_BYTES = 2 * 1024 * 1024;

export const API_MAX_BODY_KB = API_MAX_BODY_BYTES / 1024;
export const CONFIG_MAX_BODY_KB = CONFIG_MAX_BODY_BYTES / 1024;
