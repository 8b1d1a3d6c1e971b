/**
 * The server's clock from an HTTP `Date` header (RFC 9110: whole seconds, the time the answer
 * was made), or null when it is absent or unreadable. Cursors anchor to the CRM's clock this
 * way, never to this machine's, so a skewed local clock cannot make a pull skip a change.
 */
export function serverDate(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
