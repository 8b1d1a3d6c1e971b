/**
 * The analysis core as a RevOps analyst would write it in DuckDB SQL, over the same snapshot
 * file, writing its results: the peer the analysis benchmark measures Kamflow's CPU against.
 * Not part of the product. Covers what the product computes for every family: hierarchy
 * (ultimate parent by a recursive query), offering x entity cells with states and sums,
 * window and prior revenue, shares, ABC classes, concentration (top 1/5/10, HHI), penetration,
 * contacts per entity, peer adoption per industry and size band without the family's own
 * entities and the median value of suggested cells (peer and sister rules), criteria, score and tier, and each
 * account's values. Written out as newline-delimited JSON: families, accounts, cells.
 *
 *   node --import tsx bench/duckdb-peer.ts SNAPSHOT.json OUTDIR [--as-of 2026-06-30]
 *
 * prints one JSON line of aggregates (to check it agrees with Kamflow) and CPU seconds.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Loads the snapshot's lists as tables: accounts, contacts, products, opps, items. */
function loadSql(file: string, ndjson: boolean): string[] {
  if (ndjson) {
    const columns = `{kind: 'VARCHAR', id: 'VARCHAR', name: 'VARCHAR', parentId: 'VARCHAR', industry: 'VARCHAR',
      employees: 'DOUBLE', accountId: 'VARCHAR', active: 'BOOLEAN', referenceable: 'BOOLEAN', family: 'VARCHAR',
      status: 'VARCHAR', amount: 'DOUBLE', closeDate: 'VARCHAR', ownerId: 'VARCHAR', markedKey: 'BOOLEAN',
      lineItems: 'STRUCT(id VARCHAR, productId VARCHAR, totalPrice DOUBLE, cost DOUBLE)[]'}`;
    return [
      `CREATE TABLE raw AS SELECT * FROM read_json(${q(file)}, format = 'newline_delimited', columns = ${columns}, ignore_errors = true)`,
      `CREATE TABLE accounts AS SELECT id, name, parentId, industry, employees, markedKey FROM raw WHERE kind = 'account'`,
      `CREATE TABLE contacts AS SELECT id, accountId, coalesce(active, true) active, coalesce(referenceable, false) referenceable FROM raw WHERE kind = 'contact'`,
      `CREATE TABLE products AS SELECT id, name, family, coalesce(active, true) active FROM raw WHERE kind = 'product'`,
      `CREATE TABLE opps AS SELECT id, accountId, status, amount, CAST(left(CAST(closeDate AS VARCHAR), 10) AS DATE) closeDate, ownerId, lineItems FROM raw WHERE kind = 'opportunity'`,
      `DROP TABLE raw`,
      `CREATE TABLE items AS SELECT o.id opp, li.productId, li.totalPrice, li.cost FROM (SELECT id, unnest(lineItems) li FROM opps) o`,
    ];
  }
  return [
    `CREATE TABLE doc AS SELECT * FROM read_json(${q(file)}, format = 'auto', records = true, maximum_object_size = 2147483647)`,
    `CREATE TABLE accounts AS SELECT a.id, a.name, a.parentId, a.industry, a.employees, a.markedKey FROM (SELECT unnest(accounts) a FROM doc)`,
    `CREATE TABLE contacts AS SELECT c.id, c.accountId, coalesce(c.active, true) active, coalesce(c.referenceable, false) referenceable FROM (SELECT unnest(contacts) c FROM doc)`,
    `CREATE TABLE products AS SELECT p.id, p.name, p.family, coalesce(p.active, true) active FROM (SELECT unnest(products) p FROM doc)`,
    `CREATE TABLE opps AS SELECT o.id, o.accountId, o.status, o.amount, CAST(left(CAST(o.closeDate AS VARCHAR), 10) AS DATE) closeDate, o.ownerId, o.lineItems FROM (SELECT unnest(opportunities) o FROM doc)`,
    `DROP TABLE doc`,
    `CREATE TABLE items AS SELECT o.id opp, o.li.productId, o.li.totalPrice, o.li.cost FROM (SELECT id, unnest(lineItems) li FROM opps) o`,
  ];
}

function analysisSql(asOf: string, out: string): string[] {
  const d = `DATE ${q(asOf)}`;
  const from = `(${d} - INTERVAL 12 MONTH)`;
  const priorFrom = `(${d} - INTERVAL 24 MONTH)`;
  const recentFrom = `(${d} - INTERVAL 6 MONTH)`;
  return [
    // Ultimate parent and depth; a parent not in the data makes a root.
    `CREATE TABLE tree AS WITH RECURSIVE up(id, root, depth) AS (
       SELECT id, id, 0 FROM accounts WHERE parentId IS NULL OR parentId NOT IN (SELECT id FROM accounts)
       UNION ALL SELECT a.id, up.root, up.depth + 1 FROM accounts a JOIN up ON a.parentId = up.id)
     SELECT id, root, depth FROM up`,
    `CREATE TABLE offerings AS SELECT id product, coalesce(nullif(trim(family), ''), trim(name)) AS offering FROM products`,
    `CREATE TABLE catalogue AS SELECT DISTINCT o.offering FROM offerings o JOIN products p ON p.id = o.product
       WHERE p.active OR p.id IN (SELECT productId FROM items)`,
    `CREATE TABLE cells AS SELECT o.accountId AS entity, f.offering,
       bool_or(o.status = 'won' AND o.closeDate > ${from} AND o.closeDate <= ${d}) AS active,
       bool_or(o.status = 'open') AS open,
       bool_or(o.status = 'won' AND o.closeDate <= ${from}) AS lapsed,
       bool_or(o.status = 'lost' AND o.closeDate <= ${d}) AS lost,
       coalesce(sum(i.totalPrice) FILTER (o.status = 'won' AND o.closeDate > ${from} AND o.closeDate <= ${d}), 0) AS revenue,
       coalesce(sum(i.totalPrice) FILTER (o.status = 'won' AND o.closeDate <= ${d}), 0) AS lifetime,
       max(o.closeDate) FILTER (o.status = 'won' AND o.closeDate <= ${d}) AS lastWon,
       coalesce(sum(i.totalPrice) FILTER (o.status = 'open'), 0) AS openAmount
     FROM items i JOIN opps o ON o.id = i.opp JOIN offerings f ON f.product = i.productId
     GROUP BY 1, 2`,
    `CREATE TABLE oppAmount AS SELECT o.id, o.accountId, o.status, o.closeDate, o.ownerId,
       coalesce(o.amount, (SELECT sum(totalPrice) FROM items WHERE opp = o.id)) AS amount FROM opps o`,
    `CREATE TABLE fam AS SELECT t.root AS fid, count(DISTINCT t.id) AS entities,
       coalesce(sum(a.amount) FILTER (a.status = 'won' AND a.closeDate > ${from} AND a.closeDate <= ${d}), 0) AS revenue,
       coalesce(sum(a.amount) FILTER (a.status = 'won' AND a.closeDate > ${priorFrom} AND a.closeDate <= ${from}), 0) AS priorRev,
       bool_or(a.status = 'won' AND a.closeDate > ${recentFrom} AND a.closeDate <= ${d}) AS recentWin
     FROM tree t LEFT JOIN oppAmount a ON a.accountId = t.id GROUP BY 1`,
    `CREATE TABLE margin AS SELECT t.root AS fid, sum(i.totalPrice) AS costed, sum(i.cost) AS cost
     FROM items i JOIN opps o ON o.id = i.opp JOIN tree t ON t.id = o.accountId
     WHERE i.cost IS NOT NULL AND o.status = 'won' AND o.closeDate > ${from} AND o.closeDate <= ${d} GROUP BY 1`,
    `CREATE TABLE contactCounts AS SELECT accountId AS entity, count(*) AS active, count(*) FILTER (referenceable) AS referenceable
     FROM contacts WHERE active AND accountId IS NOT NULL GROUP BY 1`,
    // Peer groups: industry and size band; adopters per group and offering, then each family's view without its own entities.
    `CREATE TABLE grp AS SELECT a.id AS entity, t.root AS fid, coalesce(nullif(trim(a.industry), ''), '?') || '|' ||
       CASE WHEN a.employees IS NULL THEN '?' WHEN a.employees < 200 THEN '0' WHEN a.employees < 1000 THEN '1' WHEN a.employees < 5000 THEN '2' ELSE '3' END AS g
     FROM accounts a JOIN tree t ON t.id = a.id`,
    `CREATE TABLE adopters AS SELECT g.g, g.fid, g.entity, c.offering, c.revenue FROM cells c JOIN grp g ON g.entity = c.entity WHERE c.active`,
    `CREATE TABLE groupStats AS SELECT g, offering, count(*) AS n FROM adopters GROUP BY 1, 2`,
    `CREATE TABLE groupSize AS SELECT g, count(*) AS n FROM grp GROUP BY 1`,
    `CREATE TABLE famGroups AS SELECT fid, g, count(*) AS own FROM grp GROUP BY 1, 2`,
    `CREATE TABLE candidates AS SELECT fg.fid, fg.g, s.offering, gs.n - fg.own AS peers,
       s.n - coalesce((SELECT count(*) FROM adopters x WHERE x.fid = fg.fid AND x.g = fg.g AND x.offering = s.offering), 0) AS adopters
     FROM famGroups fg JOIN groupSize gs ON gs.g = fg.g JOIN groupStats s ON s.g = fg.g
     WHERE gs.n - fg.own >= 5`,
    `CREATE TABLE suggestions AS SELECT c.fid, c.g, c.offering, c.peers, c.adopters, round(median(x.revenue), 2) AS estimated
     FROM candidates c JOIN adopters x ON x.g = c.g AND x.offering = c.offering AND x.fid <> c.fid
     WHERE c.adopters > 0 AND c.adopters >= 0.4 * c.peers - 1e-9 GROUP BY 1, 2, 3, 4, 5`,
    `CREATE TABLE peerSuggested AS SELECT g.entity, s.offering, s.estimated FROM grp g
       JOIN suggestions s ON s.fid = g.fid AND s.g = g.g
       LEFT JOIN cells c ON c.entity = g.entity AND c.offering = s.offering WHERE c.active IS NOT TRUE`,
    // Sister suggestions: at least 2 of the family's other entities, and 30% of them, buy the offering.
    `CREATE TABLE famSize AS SELECT root AS fid, count(*) AS n FROM tree GROUP BY 1`,
    `CREATE TABLE sisterStats AS SELECT fid, offering, count(*) AS adopters, round(median(revenue), 2) AS estimated FROM adopters GROUP BY 1, 2`,
    `CREATE TABLE sisterSuggested AS SELECT t.id AS entity, s.offering, s.estimated FROM tree t
       JOIN famSize fs ON fs.fid = t.root JOIN sisterStats s ON s.fid = t.root
       LEFT JOIN cells c ON c.entity = t.id AND c.offering = s.offering
       WHERE c.active IS NOT TRUE AND s.adopters >= 2 AND s.adopters >= 0.3 * (fs.n - 1) - 1e-9`,
    // A cell both rules suggest carries the higher estimate.
    `CREATE TABLE suggested AS SELECT entity, offering, max(estimated) AS estimated FROM
       (SELECT * FROM peerSuggested UNION ALL SELECT * FROM sisterSuggested) GROUP BY 1, 2`,
    `CREATE TABLE famOut AS WITH base AS (
       SELECT f.*, f.revenue / nullif(sum(f.revenue) OVER (), 0) AS share,
         (SELECT count(*) FROM catalogue) * f.entities AS cellCount,
         (SELECT count(*) FROM cells c JOIN tree t ON t.id = c.entity WHERE t.root = f.fid AND c.active) AS activeCells,
         coalesce((SELECT sum(estimated) FROM suggested s JOIN tree t ON t.id = s.entity WHERE t.root = f.fid), 0) AS whitespace,
         coalesce((SELECT sum(active) FROM contactCounts cc JOIN tree t ON t.id = cc.entity WHERE t.root = f.fid), 0) AS contacts
       FROM fam f),
     ranked AS (SELECT *, coalesce(sum(share) OVER (ORDER BY revenue DESC, fid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before FROM base),
     measured AS (SELECT r.*, CASE WHEN revenue <= 0 THEN 'C' WHEN before < 0.8 THEN 'A' WHEN before < 0.95 THEN 'B' ELSE 'C' END AS abc,
       CASE WHEN priorRev > 0 THEN (revenue - priorRev) / priorRev END AS growth,
       (m.costed - m.cost) / nullif(m.costed, 0) - (SELECT (sum(costed) - sum(cost)) / sum(costed) FROM margin) AS marginVsPortfolio,
       CASE WHEN revenue > 0 THEN whitespace / revenue END AS potential
       FROM ranked r LEFT JOIN margin m ON m.fid = r.fid),
     scored AS (SELECT *,
       (CASE WHEN share >= 0.1 THEN 30 ELSE 0 END + CASE WHEN abc = 'A' THEN 15 ELSE 0 END
        + CASE WHEN growth >= 0.1 THEN 15 ELSE 0 END + CASE WHEN marginVsPortfolio >= 0 THEN 10 ELSE 0 END
        + CASE WHEN potential >= 0.5 THEN 15 ELSE 0 END + CASE WHEN contacts >= 3 THEN 15 ELSE 0 END) * 100.0
       / (30 + 15 + CASE WHEN growth IS NULL THEN 0 ELSE 15 END + CASE WHEN marginVsPortfolio IS NULL THEN 0 ELSE 10 END
          + CASE WHEN potential IS NULL THEN 0 ELSE 15 END + 15) AS score FROM measured)
     SELECT *, round(score, 1) AS scoreRounded, CASE WHEN share >= 0.1 OR score >= 70 THEN 'Key'
       WHEN score >= 40 AND potential >= 0.5 THEN 'Develop' WHEN abc IN ('A', 'B') THEN 'Maintain' ELSE 'Standard' END AS tier,
       activeCells / nullif(cellCount, 0) AS penetration FROM scored`,
    `COPY (SELECT fid AS id, revenue, priorRev AS priorRevenue, share AS revenueShare, abc AS abcClass, growth, penetration, whitespace AS whitespaceValue,
       contacts, tier, scoreRounded AS score, recentWin FROM famOut ORDER BY fid) TO ${q(join(out, 'families.ndjson'))} (FORMAT JSON)`,
    `COPY (SELECT t.id, t.root AS familyId, t.depth, f.tier AS kam_tier, f.tier = 'Key' AS kam_key_account, f.scoreRounded AS kam_score,
       round(f.share * 100, 2) AS kam_revenue_share, round(f.penetration * 100, 2) AS kam_penetration, f.whitespace AS kam_whitespace_value
       FROM tree t JOIN famOut f ON f.fid = t.root ORDER BY t.id) TO ${q(join(out, 'accounts.ndjson'))} (FORMAT JSON)`,
    `COPY (SELECT c.*, s.estimated AS suggestedValue FROM cells c FULL JOIN suggested s ON s.entity = c.entity AND s.offering = c.offering
       ORDER BY 1, 2) TO ${q(join(out, 'cells.ndjson'))} (FORMAT JSON)`,
  ];
}

export interface PeerResult {
  cpuSeconds: number;
  wallSeconds: number;
  aggregates: Record<string, number>;
}

export async function runDuckDbPeer(file: string, out: string, asOf: string): Promise<PeerResult> {
  mkdirSync(out, { recursive: true });
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const ndjson = /\.(ndjson|jsonl)$/i.test(file);
  for (const sql of [...loadSql(resolve(file), ndjson), ...analysisSql(asOf, resolve(out))]) await c.run(sql);
  const u = process.cpuUsage(cpu0);
  const row = (await c.runAndReadAll(`SELECT (SELECT round(sum(revenue), 2) FROM fam) totalRevenue, (SELECT count(*) FROM fam) families,
    (SELECT count(*) FROM famOut WHERE tier = 'Key') keyFamilies, (SELECT round(max(share), 6) FROM famOut) top1Share,
    (SELECT round(sum(share * share), 6) FROM famOut) hhi, (SELECT count(*) FROM cells WHERE active) activeCells,
    (SELECT count(*) FROM suggested) suggestedCells`)).getRowObjects()[0] ?? {};
  c.closeSync();
  const aggregates: Record<string, number> = {};
  for (const [k, v] of Object.entries(row)) aggregates[k] = Number(v);
  return { cpuSeconds: (u.user + u.system) / 1e6, wallSeconds: (performance.now() - wall0) / 1000, aggregates };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { values, positionals } = parseArgs({ options: { 'as-of': { type: 'string' } }, allowPositionals: true });
  const [file, out] = positionals;
  if (!file || !out) {
    process.stderr.write('Usage: node --import tsx bench/duckdb-peer.ts SNAPSHOT OUTDIR [--as-of DATE]\n');
    process.exit(2);
  }
  const r = await runDuckDbPeer(file, out, values['as-of'] ?? '2026-06-30');
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
