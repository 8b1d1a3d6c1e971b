/** The parsed form of the SOQL subset the simulator serves. */

export type Literal =
  /** `pos`: where the literal starts in the query, for errors that point at it. */
  | { kind: 'string'; value: string; pos?: number }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number; text: string };

export type SelectItem =
  | { kind: 'field'; path: string[] }
  /** `convertCurrency(Amount) alias`: the value comes back under the alias when one is given. */
  | { kind: 'convertCurrency'; path: string[]; alias?: string }
  | { kind: 'subquery'; query: SoqlQuery };

export type ComparisonOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type Condition =
  | { kind: 'and'; left: Condition; right: Condition }
  | { kind: 'or'; left: Condition; right: Condition }
  | { kind: 'not'; inner: Condition }
  | { kind: 'compare'; path: string[]; op: ComparisonOp; value: Literal }
  | { kind: 'in'; path: string[]; negated: boolean; values: Literal[] }
  | { kind: 'like'; path: string[]; pattern: string };

export interface OrderItem {
  path: string[];
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  /** The query text as sent (top level only), for errors that point into it. */
  source?: string;
  /** `SELECT COUNT() FROM ...`: only the number of rows is returned. */
  count?: boolean;
  select: SelectItem[];
  from: string;
  where: Condition | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
}
