/** A SOQL error with the errorCode the real API gives for it. */
export class SoqlError extends Error {
  override readonly name = 'SoqlError';
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR',
    message: string,
  ) {
    super(message);
  }
}
