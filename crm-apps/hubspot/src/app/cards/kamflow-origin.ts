/**
 * Kamflow's public origin, where the card asks for the run status. `npm run hubspot:project`
 * writes the real one (with app-hsmeta.json's callback and permitted fetch URL) into the project
 * copy that is uploaded; this source copy names the reserved `.invalid` domain, which never
 * resolves, so a project uploaded unconfigured makes no freshness claim rather than a wrong one.
 */
export const KAMFLOW_ORIGIN: string = 'https://kamflow.invalid';
