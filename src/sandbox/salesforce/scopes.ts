/** OAuth scopes of the simulated Salesforce org's External Client App. */

/**
 * The scopes the simulated External Client App is set up with (its OAuth settings): what a
 * token gets when the authorize request names none, and the most it can get.
 */
export const SF_APP_SCOPES = ['api', 'refresh_token'] as const;

/** Scopes a Salesforce token may name; `full` covers every other, `offline_access` is refresh_token's alias. */
export const SF_KNOWN_SCOPES = new Set(['api', 'refresh_token', 'offline_access', 'id', 'openid', 'profile', 'email', 'address', 'phone', 'web', 'full', 'chatter_api', 'visualforce', 'custom_permissions', 'wave_api', 'eclair_api', 'pardot_api', 'lightning', 'content', 'cdp_query_api', 'sfap_api', 'einstein_gpt_api']);

/** True when the scopes let a session call the REST API. */
export function allowsRestApi(scopes: readonly string[] | null): boolean {
  return scopes === null || scopes.includes('api') || scopes.includes('full');
}

/** True when the scopes let the token response carry a refresh token. */
export function allowsRefresh(scopes: readonly string[] | null): boolean {
  return scopes === null || scopes.includes('refresh_token') || scopes.includes('offline_access') || scopes.includes('full');
}

