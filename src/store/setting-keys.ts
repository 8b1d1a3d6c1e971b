/** Keys of the store's settings that more than one part of Kamflow reads. */

/** The currency of a connection's amounts, as its last succeeded run reported it. */
export const currencySetting = (connectionId: string): string => `connection.${connectionId}.currency`;
