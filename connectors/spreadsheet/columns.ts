import type { ObjectKind } from '../../src/contract/connector.ts';
import { OUTPUT_FIELDS, type OutputFieldKey } from '../../src/model/output-fields.ts';

/**
 * The columns of a spreadsheet source: which model field each column feeds, under the header
 * names common exports use (Salesforce reports, HubSpot exports, ACT!/GoldMine-style lists,
 * hand-kept sheets in English and German). Headers are compared loosely: case, spaces and
 * punctuation aside, and a Salesforce API suffix `__c` dropped, so "Account ID", "account_id"
 * and "AccountId" are one header.
 */

export const COLUMN_FIELDS = {
  accounts: ['id', 'name', 'parentId', 'industry', 'employees', 'annualRevenue', 'country', 'ownerId', 'markedKey'],
  contacts: ['id', 'accountId', 'name', 'firstName', 'lastName', 'email', 'title', 'active', 'referenceable'],
  products: ['id', 'name', 'family', 'active'],
  opportunities: ['id', 'accountId', 'name', 'stage', 'won', 'closed', 'amount', 'closeDate', 'createdDate', 'ownerId'],
  lineItems: ['id', 'opportunityId', 'productId', 'quantity', 'totalPrice', 'unitPrice', 'cost'],
  users: ['id', 'name', 'active'],
  contactRoles: ['id', 'opportunityId', 'contactId', 'role', 'primary'],
} as const satisfies Record<ObjectKind, readonly string[]>;

export type ColumnField<K extends ObjectKind> = (typeof COLUMN_FIELDS)[K][number];

/** Header names tried for each field, most specific first; no header serves two fields of a kind. */
export const DEFAULT_ALIASES: { [K in ObjectKind]: Record<ColumnField<K>, readonly string[]> } = {
  accounts: {
    id: ['Account ID', 'Company ID', 'Record ID', 'Customer ID', 'Customer Number', 'Customer No', 'Account Number', 'AccountNo', 'Kundennummer', 'Kunden-Nr', 'Id'],
    name: ['Account Name', 'Company Name', 'Customer Name', 'Company', 'Customer', 'Organization', 'Organisation', 'Firma', 'Kunde', 'Name'],
    parentId: ['Parent Account ID', 'Parent Company ID', 'Parent ID', 'ParentId', 'Parent Account', 'Parent Company', 'Parent Account Name', 'Parent', 'Muttergesellschaft'],
    industry: ['Industry', 'Sector', 'Branche'],
    employees: ['Employees', 'Number of Employees', 'NumberOfEmployees', 'Employee Count', 'Headcount', 'Mitarbeiter'],
    annualRevenue: ['Annual Revenue', 'AnnualRevenue', 'Turnover', 'Jahresumsatz', 'Umsatz'],
    country: ['Billing Country', 'BillingCountry', 'Country/Region', 'Country', 'Land'],
    ownerId: ['Account Owner ID', 'Owner ID', 'OwnerId', 'Account Owner', 'Company Owner', 'Account Manager', 'Owner', 'Sales Rep', 'Betreuer'],
    markedKey: ['Key Account', 'Key_Account', 'Is Key Account', 'Target Account', 'Strategic Account', 'Schlüsselkunde'],
  },
  contacts: {
    id: ['Contact ID', 'Record ID', 'Id'],
    accountId: ['Account ID', 'Company ID', 'Associated Company ID', 'AccountId', 'Account Name', 'Company Name', 'Associated Company', 'Account', 'Company', 'Firma'],
    name: ['Full Name', 'Contact Name', 'Name'],
    firstName: ['First Name', 'FirstName', 'Vorname'],
    lastName: ['Last Name', 'LastName', 'Nachname'],
    email: ['Email', 'E-Mail', 'Email Address', 'Mail'],
    title: ['Title', 'Job Title', 'JobTitle', 'Position', 'Funktion'],
    active: ['Active', 'Is Active', 'Contact Active', 'Aktiv'],
    referenceable: ['Referenceable', 'Reference', 'Referral', 'Testimonial', 'Referenz'],
  },
  products: {
    id: ['Product ID', 'Product2Id', 'Product Code', 'SKU', 'Record ID', 'Id'],
    name: ['Product Name', 'Product', 'Item', 'Produkt', 'Name'],
    family: ['Product Family', 'Family', 'Product Category', 'Category', 'Offering', 'Produktfamilie'],
    active: ['Active', 'Is Active', 'IsActive', 'Aktiv'],
  },
  opportunities: {
    id: ['Opportunity ID', 'Deal ID', 'Record ID', 'Id'],
    accountId: ['Account ID', 'Company ID', 'Associated Company ID', 'AccountId', 'Account Name', 'Company Name', 'Associated Company', 'Account', 'Company', 'Customer', 'Kunde'],
    name: ['Opportunity Name', 'Deal Name', 'Dealname', 'Opportunity', 'Deal', 'Name'],
    stage: ['Stage', 'Stage Name', 'StageName', 'Deal Stage', 'Status', 'Outcome', 'Phase'],
    won: ['Won', 'Is Won', 'IsWon'],
    closed: ['Closed', 'Is Closed', 'IsClosed'],
    amount: ['Amount', 'Opportunity Amount', 'Deal Amount', 'Amount (converted)', 'Value', 'Betrag'],
    closeDate: ['Close Date', 'CloseDate', 'Closing Date', 'Expected Close Date', 'Date Closed', 'Abschlussdatum'],
    createdDate: ['Created Date', 'Create Date', 'CreatedDate', 'Created', 'Erstellt am'],
    ownerId: ['Opportunity Owner ID', 'Owner ID', 'OwnerId', 'Opportunity Owner', 'Deal Owner', 'Owner', 'Sales Rep'],
  },
  lineItems: {
    id: ['Line Item ID', 'Opportunity Product ID', 'Record ID', 'Id'],
    opportunityId: ['Opportunity ID', 'Deal ID', 'OpportunityId', 'Opportunity Name', 'Deal Name', 'Opportunity', 'Deal'],
    productId: ['Product ID', 'Product2Id', 'Product Code', 'SKU', 'Product Name', 'Product', 'Item'],
    quantity: ['Quantity', 'Qty', 'Menge'],
    totalPrice: ['Total Price', 'TotalPrice', 'Line Total', 'Total', 'Amount', 'Gesamtpreis'],
    unitPrice: ['Sales Price', 'Unit Price', 'UnitPrice', 'Price', 'Einzelpreis'],
    cost: ['Cost', 'Line Cost', 'Unit Cost', 'Cost Price', 'Kosten'],
  },
  users: {
    id: ['User ID', 'Owner ID', 'Id'],
    name: ['Full Name', 'User Name', 'Name', 'User', 'Owner'],
    active: ['Active', 'Is Active', 'IsActive', 'Aktiv'],
  },
  contactRoles: {
    id: ['Contact Role ID', 'Opportunity Contact Role ID', 'Record ID', 'Id'],
    opportunityId: ['Opportunity ID', 'Deal ID', 'OpportunityId', 'Opportunity Name', 'Deal Name', 'Opportunity', 'Deal'],
    contactId: ['Contact ID', 'ContactId', 'Contact'],
    role: ['Role', 'Contact Role', 'Association Label', 'Label', 'Rolle'],
    primary: ['Primary', 'Is Primary', 'IsPrimary', 'Primary Contact'],
  },
};

/** Sheet names (or CSV file names without `.csv`) tried for each stream. */
export const DEFAULT_SHEETS: Record<ObjectKind, readonly string[]> = {
  accounts: ['Accounts', 'Account', 'Companies', 'Company', 'Customers', 'Kunden', 'Firmen'],
  contacts: ['Contacts', 'Contact', 'People', 'Kontakte', 'Ansprechpartner'],
  products: ['Products', 'Product', 'Catalogue', 'Catalog', 'Price Book', 'Produkte'],
  opportunities: ['Opportunities', 'Opportunity', 'Deals', 'Deal', 'Sales', 'Verkaufschancen'],
  lineItems: ['Line Items', 'LineItems', 'Opportunity Products', 'Opportunity Line Items', 'Deal Line Items', 'Positionen'],
  users: ['Users', 'Owners', 'Sales Reps', 'Benutzer'],
  contactRoles: ['Contact Roles', 'Opportunity Contact Roles', 'ContactRoles', 'Deal Contacts', 'Roles', 'Rollen'],
};

/** Kamflow's own columns read as the values held now: `kam_tier`, its label "KAM Tier", or `KAM_Tier__c`. */
export function kamflowColumnAliases(key: OutputFieldKey): readonly string[] {
  const spec = OUTPUT_FIELDS.find((f) => f.key === key);
  return spec ? [spec.key, spec.label] : [key];
}

/** A header as compared: "Account ID", "account_id" and "AccountId__c" are all "accountid". */
export function normalizeHeader(h: string): string {
  return h.normalize('NFKC').trim().replace(/__c$/i, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}
