import type { SalesforceStore } from './store.ts';
import { childText, childrenNamed, contentOf, parseXml, type XmlNode } from './xml-tree.ts';

/**
 * Page layouts as the Metadata API keeps them (Metadata API Developer Guide, Layout): sections of
 * one to three columns of items, each item a field with its behavior. The seeded Account layout
 * carries what a real org's default one does, plus a section an admin added, so that tests can
 * see that an update keeps everything it did not mean to change.
 */

const item = (field: string, behavior: 'Edit' | 'Readonly' | 'Required'): string =>
  `<layoutItems><behavior>${behavior}</behavior><field>${field}</field></layoutItems>`;

export const DEFAULT_ACCOUNT_LAYOUT = [
  '<layoutSections><customLabel>false</customLabel><detailHeading>false</detailHeading><editHeading>true</editHeading><label>Account Information</label>',
  `<layoutColumns>${item('OwnerId', 'Readonly')}${item('Name', 'Required')}${item('ParentId', 'Edit')}</layoutColumns>`,
  `<layoutColumns>${item('Industry', 'Edit')}${item('NumberOfEmployees', 'Edit')}${item('AnnualRevenue', 'Edit')}</layoutColumns>`,
  '<style>TwoColumnsTopToBottom</style></layoutSections>',
  '<layoutSections><customLabel>true</customLabel><detailHeading>true</detailHeading><editHeading>true</editHeading><label>Key Accounts (Sales Ops)</label>',
  `<layoutColumns>${item('Key_Account__c', 'Edit')}</layoutColumns><layoutColumns>${item('BillingCountry', 'Edit')}</layoutColumns>`,
  '<style>TwoColumnsTopToBottom</style></layoutSections>',
  '<layoutSections><customLabel>true</customLabel><detailHeading>true</detailHeading><editHeading>false</editHeading><label>Custom Links</label>',
  '<layoutColumns/><layoutColumns/><layoutColumns/><style>CustomLinks</style></layoutSections>',
  '<relatedLists><fields>FULL_NAME</fields><fields>CONTACT.TITLE</fields><fields>CONTACT.EMAIL</fields><relatedList>RelatedContactList</relatedList></relatedLists>',
  '<relatedLists><fields>OPPORTUNITY.NAME</fields><fields>OPPORTUNITY.STAGE_NAME</fields><fields>OPPORTUNITY.AMOUNT</fields><relatedList>RelatedOpportunityList</relatedList></relatedLists>',
  '<showEmailCheckbox>false</showEmailCheckbox><showHighlightsPanel>false</showHighlightsPanel><showInteractionLogPanel>false</showInteractionLogPanel>',
  '<showRunAssignmentRulesCheckbox>false</showRunAssignmentRulesCheckbox><showSubmitAndAttachButton>false</showSubmitAndAttachButton>',
].join('');

export function seedLayouts(store: SalesforceStore): void {
  store.layouts.set('Account-Account Layout', DEFAULT_ACCOUNT_LAYOUT);
}

/** The object a layout's full name belongs to: `Account-Account Layout` is Account's. */
export function layoutObject(fullName: string): string {
  const dash = fullName.indexOf('-');
  return dash > 0 ? fullName.slice(0, dash) : fullName;
}

/** Columns each section style takes (Metadata API Developer Guide, LayoutSection.style). */
const STYLE_COLUMNS: Record<string, number> = { OneColumn: 1, TwoColumnsTopToBottom: 2, TwoColumnsLeftToRight: 2, CustomLinks: 3 };
const BEHAVIORS = new Set(['Edit', 'Readonly', 'Required']);
/** Fields a layout of the object must carry as Required, as Setup insists. */
const REQUIRED_ON_LAYOUT: Record<string, string[]> = { Account: ['Name'] };

export interface LayoutProblem {
  statusCode: string;
  message: string;
}

/**
 * What the Metadata API refuses in a layout update: an unknown section style or column count, an
 * item naming no field of the object, a field placed twice, a behavior outside Edit, Readonly and
 * Required, and a layout that drops a required field.
 */
export function checkLayout(store: SalesforceStore, fullName: string, content: XmlNode[]): LayoutProblem | null {
  const objectName = layoutObject(fullName);
  const obj = store.schema.get(objectName);
  if (!obj) return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `no object ${objectName} for layout ${fullName}` };
  const seen = new Map<string, string>();
  for (const section of childrenNamed(content, 'layoutSections')) {
    const inner = contentOf(section);
    const label = childText(inner, 'label') ?? '';
    const style = childText(inner, 'style') ?? '';
    const want = STYLE_COLUMNS[style];
    if (want === undefined) return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Layout section "${label}": invalid style "${style}"` };
    const columns = childrenNamed(inner, 'layoutColumns');
    if (columns.length !== want) return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Layout section "${label}": style ${style} takes ${want} column(s), got ${columns.length}` };
    if (style !== 'CustomLinks' && label.trim() === '') return { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Layout section: label is required' };
    for (const column of columns) {
      for (const it of childrenNamed(contentOf(column), 'layoutItems')) {
        const itemContent = contentOf(it);
        const field = childText(itemContent, 'field');
        if (field === null) continue;
        if (!obj.fields.some((f) => f.name === field)) return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Layout ${fullName}: no field ${field} on ${objectName}` };
        const behavior = childText(itemContent, 'behavior') ?? '';
        if (!BEHAVIORS.has(behavior)) return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Layout ${fullName}: invalid behavior "${behavior}" for ${field}` };
        const where = seen.get(field);
        if (where !== undefined) return { statusCode: 'DUPLICATE_VALUE', message: `Layout ${fullName}: field ${field} appears more than once (sections "${where}" and "${label}")` };
        seen.set(field, label);
      }
    }
  }
  for (const field of REQUIRED_ON_LAYOUT[objectName] ?? []) {
    if (!seen.has(field)) return { statusCode: 'REQUIRED_FIELD_MISSING', message: `Layout ${fullName} must contain the required field ${field}` };
  }
  return null;
}

export function layoutContent(store: SalesforceStore, fullName: string): XmlNode[] | null {
  const xml = store.layouts.get(fullName);
  return xml === undefined ? null : parseXml(xml);
}
