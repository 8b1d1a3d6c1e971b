/** Record ids in each CRM's own style: Salesforce 18-character ids, HubSpot numeric strings. */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Key prefixes of the objects the simulator serves, as Salesforce uses them. */
export const SF_KEY_PREFIX: Record<string, string> = {
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  OpportunityLineItem: '00k',
  OpportunityContactRole: '00K',
  Product2: '01t',
  Task: '00T',
  User: '005',
  Organization: '00D',
  PermissionSet: '0PS',
  FieldPermissions: '01k',
  PermissionSetAssignment: '0Pa',
  CurrencyType: '02c',
  CustomField: '00N',
  BulkJob: '750',
  QueryLocator: '01g',
};

/** The case-safe 3-character suffix Salesforce appends to a 15-character id. */
export function sfChecksum(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    out += SUFFIX.charAt(bits);
  }
  return out;
}

function base62(n: number, width: number): string {
  let s = '';
  let v = n;
  do {
    s = BASE62.charAt(v % 62) + s;
    v = Math.floor(v / 62);
  } while (v > 0);
  return s.padStart(width, '0');
}

/**
 * Hands out ids. Salesforce ids of one object sort in creation order as plain strings (the
 * counter is zero-padded base62 in ASCII order), which keeps `ORDER BY Id` meaningful.
 */
export class IdFactory {
  private readonly sfCounters = new Map<string, number>();
  private hsCounter: number;

  constructor(hubspotStart = 1001) {
    this.hsCounter = hubspotStart;
  }

  salesforce(objectName: string): string {
    const prefix = SF_KEY_PREFIX[objectName] ?? 'a0X';
    const n = (this.sfCounters.get(prefix) ?? 0) + 1;
    this.sfCounters.set(prefix, n);
    const id15 = `${prefix}Kf0${base62(n, 9)}`;
    return id15 + sfChecksum(id15);
  }

  hubspot(): string {
    const id = String(this.hsCounter);
    this.hsCounter += 1;
    return id;
  }
}
