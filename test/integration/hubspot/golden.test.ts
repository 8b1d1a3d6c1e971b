import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../../src/model/snapshot.ts';
import { collect, connector, setupNock, teardownNock } from './helpers.ts';
import { loadGolden, servePortal } from './fake-portal.ts';
import { snapshotFromPages } from '../../support/pulled-snapshot.ts';

beforeEach(setupNock);
afterEach(teardownNock);

function expected(): unknown {
  const path = fileURLToPath(new URL('../../fixtures/hubspot/golden-expected.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('golden: HubSpot-shaped customer data', () => {
  it('the expected records are a valid snapshot with nothing rejected', () => {
    const { rejected } = parseSnapshot(expected());
    expect(rejected).toEqual([]);
  });

  it('a full pull of the fixture portal gives exactly the expected common-model records', async () => {
    servePortal(loadGolden());
    // The fixture portal's products carry their family as hs_product_family, and its line items
    // the cost of the whole line.
    const c = connector({ currency: undefined, referenceableProperty: 'kam_referenceable', productFamilyProperty: 'hs_product_family', lineItemCostPer: 'line' });
    const pages = await collect(c, { mode: 'full', cursors: {} });
    expect(pages.flatMap((p) => p.issues)).toEqual([]);
    const { snapshot, rejected } = snapshotFromPages(pages, 'hubspot', await c.currency());
    expect(rejected).toEqual([]);
    expect(snapshot).toEqual(parseSnapshot(expected()).snapshot);
    // One list call and one association batch read per stream page, pipelines once, owners
    // twice, the company currency and the exchange rates once each; the contact roles: one
    // deal-to-contact batch read of the deals the deals stream just read (no list of their own).
    expect(c.usage()).toEqual({ owners: 2, list: 5, associationsBatchRead: 5, pipelines: 1, currencies: 2 });
  });
});
