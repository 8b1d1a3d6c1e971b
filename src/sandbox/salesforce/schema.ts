/**
 * The Salesforce objects the simulator knows, with the fields and relationships that the
 * connectors query. Types follow describe's `type` values.
 */

export type SfFieldType =
  | 'id' | 'string' | 'reference' | 'boolean' | 'double' | 'int' | 'currency' | 'percent'
  | 'date' | 'datetime' | 'picklist' | 'textarea' | 'email';

export interface SfFieldDef {
  name: string;
  type: SfFieldType;
  label: string;
  /** For references: the object pointed at, and the name of the relationship (`Parent`). */
  referenceTo?: string;
  relationshipName?: string;
  custom: boolean;
  length?: number;
  precision?: number;
  scale?: number;
  picklistValues?: string[];
  /** System fields the API never lets a client write. */
  readOnly?: boolean;
  /** Fields created through the API: invisible until a permission set grants them. */
  needsFls?: boolean;
  /** Only exists in a multi-currency org. */
  multiCurrencyOnly?: boolean;
  /** An external id: upserts may match on it. */
  externalId?: boolean;
  unique?: boolean;
}

export interface SfChildRelationship {
  name: string;
  childObject: string;
  field: string;
}

export interface SfObjectDef {
  name: string;
  fields: SfFieldDef[];
  children: SfChildRelationship[];
  /** CurrencyType exists only in a multi-currency org. */
  multiCurrencyOnly?: boolean;
  /** DatedConversionRate exists only with advanced currency management on. */
  datedRatesOnly?: boolean;
  /** Objects that carry IsDeleted and go to the recycle bin. */
  deletable: boolean;
  /** A custom object made through the Metadata API: no one reaches it until object permissions grant it. */
  needsObjectPermission?: boolean;
  /** Fields an insert must carry, besides those the writes module lists. */
  requiredOnInsert?: string[];
  /** What createMetadata was given for a custom object, for readMetadata. */
  metadata?: { label: string; pluralLabel: string; sharingModel: string; nameFieldLabel: string };
}

function f(name: string, type: SfFieldType, extra: Partial<SfFieldDef> = {}): SfFieldDef {
  return { name, type, label: name, custom: name.endsWith('__c'), ...extra };
}

const ro = { readOnly: true } as const;

/**
 * The system fields each object documents (field reference, developer.salesforce.com/docs/
 * platform/field-reference): records of the recycle-bin objects carry IsDeleted, setup objects
 * such as CurrencyType or PermissionSet do not, and FieldPermissions and PermissionSetAssignment
 * document SystemModstamp only. A field an object does not document is refused (INVALID_FIELD)
 * like any other unknown column, as the real org does.
 */
const recordFields = (): SfFieldDef[] => [
  f('Id', 'id', ro),
  f('IsDeleted', 'boolean', ro),
  f('CreatedDate', 'datetime', ro),
  f('LastModifiedDate', 'datetime', ro),
  f('SystemModstamp', 'datetime', ro),
];
const setupFields = (): SfFieldDef[] => [
  f('Id', 'id', ro),
  f('CreatedDate', 'datetime', ro),
  f('LastModifiedDate', 'datetime', ro),
  f('SystemModstamp', 'datetime', ro),
];
const stampOnly = (): SfFieldDef[] => [f('Id', 'id', ro), f('SystemModstamp', 'datetime', ro)];

/** CurrencyIsoCode exists only in a multi-currency org; on line items it follows the opportunity. */
const currencyField = (extra: Partial<SfFieldDef> = {}): SfFieldDef =>
  f('CurrencyIsoCode', 'picklist', { multiCurrencyOnly: true, length: 3, ...extra });

/** The default Task Status and Priority picklists (Object Reference, Task). */
export const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'] as const;
export const TASK_PRIORITIES = ['High', 'Normal', 'Low'] as const;
/** The default OpportunityContactRole.Role picklist of a new org. */
export const CONTACT_ROLES = [
  'Business User', 'Decision Maker', 'Economic Buyer', 'Economic Decision Maker', 'Evaluator', 'Executive Sponsor', 'Influencer', 'Technical Buyer', 'Other',
] as const;

export function baseSchema(): Map<string, SfObjectDef> {
  const defs: SfObjectDef[] = [
    {
      name: 'Account',
      deletable: true,
      fields: [
        ...recordFields(),
        f('Name', 'string', { length: 255 }),
        f('ParentId', 'reference', { referenceTo: 'Account', relationshipName: 'Parent' }),
        f('Industry', 'picklist'),
        f('NumberOfEmployees', 'int'),
        f('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
        f('BillingCountry', 'string', { length: 80 }),
        f('OwnerId', 'reference', { referenceTo: 'User', relationshipName: 'Owner' }),
        f('Key_Account__c', 'boolean', { label: 'Key Account' }),
        currencyField(),
      ],
      children: [
        { name: 'ChildAccounts', childObject: 'Account', field: 'ParentId' },
        { name: 'Contacts', childObject: 'Contact', field: 'AccountId' },
        { name: 'Opportunities', childObject: 'Opportunity', field: 'AccountId' },
      ],
    },
    {
      name: 'Contact',
      deletable: true,
      fields: [
        ...recordFields(),
        f('AccountId', 'reference', { referenceTo: 'Account', relationshipName: 'Account' }),
        f('Name', 'string', { readOnly: true, length: 121 }),
        f('FirstName', 'string', { length: 40 }),
        f('LastName', 'string', { length: 80 }),
        f('Email', 'email'),
        f('Title', 'string', { length: 128 }),
        f('Active__c', 'boolean', { label: 'Active' }),
        f('Referenceable__c', 'boolean', { label: 'Referenceable' }),
        currencyField(),
      ],
      children: [],
    },
    {
      name: 'Opportunity',
      deletable: true,
      fields: [
        ...recordFields(),
        f('AccountId', 'reference', { referenceTo: 'Account', relationshipName: 'Account' }),
        f('Name', 'string', { length: 120 }),
        f('StageName', 'picklist'),
        f('IsWon', 'boolean', ro),
        f('IsClosed', 'boolean', ro),
        f('Amount', 'currency', { precision: 18, scale: 2 }),
        f('CloseDate', 'date'),
        f('OwnerId', 'reference', { referenceTo: 'User', relationshipName: 'Owner' }),
        currencyField(),
      ],
      children: [
        { name: 'OpportunityLineItems', childObject: 'OpportunityLineItem', field: 'OpportunityId' },
        { name: 'OpportunityContactRoles', childObject: 'OpportunityContactRole', field: 'OpportunityId' },
      ],
    },
    {
      // Object Reference, OpportunityContactRole: the fields the object documents, nothing more
      // (no Name, no OwnerId: a query naming one is refused with INVALID_FIELD).
      name: 'OpportunityContactRole',
      deletable: true,
      requiredOnInsert: ['OpportunityId', 'ContactId'],
      fields: [
        ...recordFields(),
        f('OpportunityId', 'reference', { referenceTo: 'Opportunity', relationshipName: 'Opportunity' }),
        f('ContactId', 'reference', { referenceTo: 'Contact', relationshipName: 'Contact' }),
        f('Role', 'picklist', { length: 255, picklistValues: [...CONTACT_ROLES] }),
        f('IsPrimary', 'boolean'),
        currencyField(),
      ],
      children: [],
    },
    {
      name: 'OpportunityLineItem',
      deletable: true,
      fields: [
        ...recordFields(),
        f('OpportunityId', 'reference', { referenceTo: 'Opportunity', relationshipName: 'Opportunity' }),
        f('Product2Id', 'reference', { referenceTo: 'Product2', relationshipName: 'Product2' }),
        f('Quantity', 'double', { precision: 12, scale: 2 }),
        f('UnitPrice', 'currency', { precision: 18, scale: 2 }),
        f('TotalPrice', 'currency', { precision: 18, scale: 2 }),
        f('Cost__c', 'currency', { precision: 18, scale: 2, label: 'Cost' }),
        // Object reference: "Read only... the currency of the parent opportunity".
        currencyField(ro),
      ],
      children: [],
    },
    {
      name: 'Product2',
      deletable: true,
      fields: [...recordFields(), f('Name', 'string', { length: 255 }), f('Family', 'picklist'), f('IsActive', 'boolean'), currencyField()],
      children: [],
    },
    {
      // Object Reference, Task: the fields Kamflow's tasks use and the system ones it reads.
      name: 'Task',
      deletable: true,
      fields: [
        ...recordFields(),
        f('WhatId', 'reference', { referenceTo: 'Account', relationshipName: 'What' }),
        f('WhoId', 'reference', { referenceTo: 'Contact', relationshipName: 'Who' }),
        f('AccountId', 'reference', { referenceTo: 'Account', relationshipName: 'Account', readOnly: true }),
        f('OwnerId', 'reference', { referenceTo: 'User', relationshipName: 'Owner' }),
        f('Subject', 'string', { length: 255 }),
        f('Description', 'textarea', { length: 32000 }),
        f('ActivityDate', 'date'),
        f('Status', 'picklist', { length: 40, picklistValues: [...TASK_STATUSES] }),
        f('Priority', 'picklist', { length: 40, picklistValues: [...TASK_PRIORITIES] }),
        f('IsClosed', 'boolean', ro),
      ],
      children: [],
    },
    {
      name: 'User',
      deletable: false,
      fields: [...setupFields(), f('Name', 'string', ro), f('IsActive', 'boolean'), f('Email', 'email')],
      children: [],
    },
    {
      name: 'Organization',
      deletable: false,
      fields: [...setupFields(), f('Name', 'string', { length: 80 })],
      children: [],
    },
    {
      name: 'CurrencyType',
      deletable: false,
      multiCurrencyOnly: true,
      fields: [
        ...setupFields(),
        f('IsoCode', 'picklist', { length: 40 }),
        f('IsCorporate', 'boolean'),
        f('ConversionRate', 'double', { precision: 18, scale: 6 }),
        f('DecimalPlaces', 'int'),
        f('IsActive', 'boolean'),
      ],
      children: [],
    },
    {
      // Object reference: only in multi-currency orgs with advanced currency management.
      name: 'DatedConversionRate',
      deletable: false,
      multiCurrencyOnly: true,
      datedRatesOnly: true,
      fields: [
        ...setupFields(),
        f('IsoCode', 'picklist', { length: 40 }),
        f('ConversionRate', 'double', { precision: 18, scale: 6 }),
        f('StartDate', 'date'),
        f('NextStartDate', 'date', ro),
      ],
      children: [],
    },
    {
      name: 'PermissionSet',
      deletable: false,
      fields: [...setupFields(), f('Name', 'string', { length: 80 }), f('Label', 'string', { length: 80 }), f('Description', 'string', { length: 255 })],
      children: [],
    },
    {
      name: 'FieldPermissions',
      deletable: false,
      fields: [
        ...stampOnly(),
        f('ParentId', 'reference', { referenceTo: 'PermissionSet', relationshipName: 'Parent' }),
        f('SobjectType', 'picklist', { length: 40 }),
        f('Field', 'picklist', { length: 40 }),
        f('PermissionsRead', 'boolean'),
        f('PermissionsEdit', 'boolean'),
      ],
      children: [],
    },
    {
      name: 'ObjectPermissions',
      deletable: false,
      fields: [
        ...stampOnly(),
        f('ParentId', 'reference', { referenceTo: 'PermissionSet', relationshipName: 'Parent' }),
        f('SobjectType', 'picklist', { length: 40 }),
        f('PermissionsRead', 'boolean'),
        f('PermissionsCreate', 'boolean'),
        f('PermissionsEdit', 'boolean'),
        f('PermissionsDelete', 'boolean'),
        f('PermissionsViewAllRecords', 'boolean'),
        f('PermissionsModifyAllRecords', 'boolean'),
      ],
      children: [],
    },
    {
      name: 'PermissionSetAssignment',
      deletable: false,
      fields: [
        ...stampOnly(),
        f('PermissionSetId', 'reference', { referenceTo: 'PermissionSet', relationshipName: 'PermissionSet' }),
        f('AssigneeId', 'reference', { referenceTo: 'User', relationshipName: 'Assignee' }),
      ],
      children: [],
    },
  ];
  return new Map(defs.map((d) => [d.name, d]));
}

/** A custom object as createMetadata makes it: the standard fields every custom object has, and its name field. */
export function customObjectDef(name: string, nameFieldLabel: string): SfObjectDef {
  return {
    name,
    deletable: true,
    needsObjectPermission: true,
    requiredOnInsert: ['Name'],
    fields: [
      ...recordFields(),
      f('Name', 'string', { length: 80, label: nameFieldLabel }),
      f('OwnerId', 'reference', { referenceTo: 'User', relationshipName: 'Owner' }),
    ],
    children: [],
  };
}

export const CURRENCY_TYPES = new Set<SfFieldType>(['currency']);
