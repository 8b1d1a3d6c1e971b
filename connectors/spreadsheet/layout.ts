import type { Fill, Font } from 'exceljs';
import type { CellState } from '../../src/model/insights.ts';
import type { Tier } from '../../src/model/output-fields.ts';

/**
 * The annotated workbook's fixed names and looks: its sheets, Kamflow's columns on the
 * Accounts sheet, and the colours of the matrix's five cell states and of the tiers.
 */

export const SHEETS = {
  accounts: 'Accounts',
  keyAccounts: 'Key accounts',
  concentration: 'Concentration',
  about: 'About',
} as const;

/** The id Kamflow gave the row (the input's id, or its name where the input has no id column): how the workbook is read back. */
export const ID_COLUMN = 'kam_account_id';
/** TRUE on the rows whose Kamflow values this run changed. */
export const CHANGED_COLUMN = 'kam_changed';
export const CHANGED_FIELDS_COLUMN = 'kam_changed_fields';
/** Why a row could not be read, when it could not. */
export const ISSUES_COLUMN = 'kam_row_issues';

/** Excel refuses longer cell texts. */
export const MAX_CELL_TEXT = 32_767;

export const STATE_ARGB: Record<CellState, string> = {
  active: 'FF63BE7B',
  open: 'FF9DC3E6',
  lapsed: 'FFFFD966',
  lost: 'FFF4A582',
  whitespace: 'FFEDEDED',
};

export const STATE_MEANING: Record<CellState, string> = {
  active: 'won in the last 12 months',
  open: 'an open opportunity',
  lapsed: 'won before, not in the last 12 months',
  lost: 'only lost opportunities',
  whitespace: 'nothing yet (suggested cells show an estimate)',
};

export const TIER_ARGB: Record<Tier, string | null> = {
  Key: 'FFC6EFCE',
  Develop: 'FFDDEBF7',
  Maintain: 'FFFFF2CC',
  Standard: null,
};

export const fill = (argb: string): Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });
export const BOLD: Partial<Font> = { bold: true };

/** A sheet name Excel accepts: at most 31 characters, none of : \ / ? * [ ]. */
export function sheetName(text: string): string {
  const clean = text.replace(/[:\\/?*[\]]/g, ' ').replace(/\s+/g, ' ').trim().replace(/^'+|'+$/g, '');
  return clean.slice(0, 31).trimEnd() || 'Sheet';
}
