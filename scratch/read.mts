import { workbookSheets } from '../connectors/spreadsheet/xlsx-rows.ts';
const path = process.argv[2]!;
try {
for await (const s of workbookSheets(path)) { let n = 0; for await (const r of s.rows) { n++; if (n < 2) console.log(s.name, JSON.stringify(r.cells).slice(0, 200)); } console.log(s.name, n); }
} catch (e) { console.log('ERR', e); }
