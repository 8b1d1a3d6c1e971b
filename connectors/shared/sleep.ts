/** Waits; connectors take one so tests can replace time. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
