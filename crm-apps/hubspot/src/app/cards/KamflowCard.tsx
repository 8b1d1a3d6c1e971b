import { useEffect, useState } from 'react';
import {
  Alert,
  CrmContext,
  Divider,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  List,
  LoadingSpinner,
  StatusTag,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { CrmActionLink, useCrmProperties } from '@hubspot/ui-extensions/crm';
import { formatScore, freshness, isNotTiered, KAM_PROPERTIES, freshnessTexts, parseCoverage, parseOffers, parseReasons, parseRisks, parseUltimateParent, type Outcome } from './kamText.ts';
import type { RunStatus, RunStatusSource } from './run-status.ts';


type TierVariant = 'success' | 'info' | 'default';
const TIER_VARIANT: Record<string, TierVariant> = { Key: 'success', Develop: 'info', Maintain: 'default', Standard: 'default' };

const OUTCOME_TAG: Record<Outcome, { variant: 'success' | 'danger' | 'default'; label: string }> = {
  pass: { variant: 'success', label: 'Passes' },
  fail: { variant: 'danger', label: 'Fails' },
  noData: { variant: 'default', label: 'No data' },
};

const COMPANY_OBJECT_TYPE = '0-2';

function percent(value: string | null | undefined): string {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  // The properties hold 0..100.
  return Number.isFinite(n) ? `${Math.round(n * 10) / 10}%` : '–';
}

function whole(value: string | null | undefined, locale: string): string {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n) : '–';
}

export { KAM_PROPERTIES };

export interface KamflowCardProps {
  context: CrmContext;
  loadRunStatus: RunStatusSource;
  /** Milliseconds since the epoch; tests fix it. */
  now?: () => number;
}

/**
 * Kamflow's card on a company record: everything from the record's own kam_* properties
 * (useCrmProperties), freshness from Kamflow's run status.
 */
export function KamflowCard({ context, loadRunStatus, now = Date.now }: KamflowCardProps) {
  const { properties, isLoading, error } = useCrmProperties([...KAM_PROPERTIES]);
  const [run, setRun] = useState<RunStatus | null>(null);
  useEffect(() => {
    let live = true;
    // Without a run status the card still shows the values, without a freshness claim.
    loadRunStatus().then(
      (r) => {
        if (live) setRun(r);
      },
      () => {
        if (live) setRun(null);
      },
    );
    return () => {
      live = false;
    };
  }, [loadRunStatus]);

  const locale = context.user.locale ?? 'en-US';
  const timeZone = context.portal.timezone || 'UTC';

  if (isLoading) return <LoadingSpinner label="Loading Kamflow values" testId="loading" />;
  if (error) {
    return (
      <ErrorState title="Kamflow's values could not be loaded" testId="error">
        <Text>{error.message}</Text>
      </ErrorState>
    );
  }

  const p = (name: (typeof KAM_PROPERTIES)[number]): string | null => properties[name] ?? null;
  const status = freshness({ tier: p('kam_tier'), updatedAt: p('kam_updated_at'), lastRunFinishedAt: run?.lastRunFinishedAt, nextRunDueBy: run?.nextRunDueBy, now: now(), reasons: p('kam_reasons') });
  const texts = freshnessTexts(status, locale, timeZone);

  if (status.state === 'not-analysed') {
    return (
      <EmptyState title="Not analysed yet" layout="vertical" testId="not-analysed">
        <Text>{texts.notAnalysed}</Text>
      </EmptyState>
    );
  }

  const reasons = parseReasons(p('kam_reasons'));
  const tier = p('kam_tier') || (isNotTiered(p('kam_reasons')) ? 'Not tiered' : '');
  const score = formatScore(p('kam_score'));
  const why = p('kam_why') || reasons.summary || '';
  const offers = parseOffers(p('kam_next_best_offers'));
  const coverage = parseCoverage(p('kam_contact_coverage'));
  const risks = parseRisks(p('kam_risks'));
  const parent = parseUltimateParent(p('kam_ultimate_parent'));
  const ownParent = parent !== null && parent.id === String(context.crm.objectId);

  let coverageText = p('kam_contact_coverage') || 'No contact count yet';
  if (coverage) {
    const against = `${coverage.count} active contact${coverage.count === 1 ? '' : 's'} (target ${coverage.min}-${coverage.max})`;
    coverageText =
      coverage.status === 'under' ? `${against}: ${coverage.min - coverage.count} short of the target` : coverage.status === 'over' ? `${against}: above the target` : `${against}: on target`;
  }

  return (
    <Flex direction="column" gap="sm">
      <Flex direction="row" gap="xs" align="center">
        <Tag variant={TIER_VARIANT[tier] ?? 'default'} testId="tier">
          {tier}
        </Tag>
        {score !== '' && (
          <Text format={{ fontWeight: 'bold' }} testId="score">
            Score {score}
          </Text>
        )}
      </Flex>
      <Text testId="why">{why}</Text>

      {reasons.overrides.map((o, i) => (
        <Alert key={`o${i}`} title="Tier override" variant="info" testId="override">
          {o}
        </Alert>
      ))}
      {reasons.dataIssues.length > 0 && (
        <Alert title="Data to fix before Kamflow can tier this family" variant="warning" testId="data-issues">
          {reasons.dataIssues.join(' ')}
        </Alert>
      )}
      {texts.stale !== null && (
        <Alert title="Values may be out of date" variant="warning" testId="stale">
          {texts.stale}
        </Alert>
      )}

      <Heading>Why this tier</Heading>
      <List variant="unordered" testId="reasons">
        {reasons.criteria.map((c, i) => (
          <Flex key={`c${i}`} direction="row" gap="xs" align="center">
            <StatusTag variant={OUTCOME_TAG[c.outcome].variant}>{OUTCOME_TAG[c.outcome].label}</StatusTag>
            <Text>{c.text}</Text>
          </Flex>
        ))}
        {reasons.other.map((x, i) => (
          <Text key={`x${i}`}>{x}</Text>
        ))}
      </List>
      {reasons.nearest !== null && (
        <Text format={{ italic: true }} testId="nearest">
          {reasons.nearest}
        </Text>
      )}
      <Text variant="microcopy" testId="figures">
        {`Revenue share ${percent(p('kam_revenue_share'))} · Penetration ${percent(p('kam_penetration'))} · Whitespace ${whole(p('kam_whitespace_value'), locale)}`}
      </Text>

      <Divider />
      <Heading>Next best offers for this company</Heading>
      {offers.length > 0 ? (
        <List variant="unordered" testId="offers">
          {offers.map((o, i) => (
            <Flex key={`n${i}`} direction="column">
              <Text format={{ fontWeight: 'bold' }}>{o.offering}</Text>
              <Text variant="microcopy">{o.evidence}</Text>
            </Flex>
          ))}
        </List>
      ) : (
        <Text testId="no-offers">No suggestion: too few comparable customers buy what this company does not.</Text>
      )}

      <Heading>Contacts</Heading>
      <Flex direction="row" gap="xs" align="center">
        {coverage?.status === 'under' && <StatusTag variant="warning">Below target</StatusTag>}
        <Text testId="coverage">{coverageText}</Text>
      </Flex>

      <Heading>Risks</Heading>
      {risks.length > 0 ? (
        <List variant="unordered" testId="risks">
          {risks.map((r, i) => (
            <Text key={`r${i}`}>{r.label ? `${r.label}: ${r.detail}` : r.detail}</Text>
          ))}
        </List>
      ) : (
        <Text testId="no-risks">No risks flagged.</Text>
      )}

      {parent !== null &&
        (ownParent ? (
          <Text testId="parent">This company is the ultimate parent of its family.</Text>
        ) : (
          <Flex direction="row" gap="xs" testId="parent">
            <Text>Ultimate parent:</Text>
            <CrmActionLink actionType="RECORD_APP_LINK" actionContext={{ objectTypeId: COMPANY_OBJECT_TYPE, objectId: Number(parent.id) }} testId="parent-link">
              {parent.name}
            </CrmActionLink>
          </Flex>
        ))}

      {texts.footer !== '' && (
        <Text variant="microcopy" testId="freshness">
          {texts.footer}
        </Text>
      )}
    </Flex>
  );
}
