import type { SourceKind } from '../../../connectors/kinds.ts';
import type { ContractHarness } from '../harness.ts';
import { hubSpotHarness } from './hubspot.ts';
import { salesforceHarness } from './salesforce.ts';
import { spreadsheetHarness } from './spreadsheet.ts';

/** One harness per registered source: a source without one does not compile. */
export const HARNESSES = {
  salesforce: salesforceHarness,
  hubspot: hubSpotHarness,
  spreadsheet: spreadsheetHarness,
} satisfies Record<SourceKind, ContractHarness>;
