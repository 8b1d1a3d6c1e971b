import { hubspot } from '@hubspot/ui-extensions';
import { KamflowCard } from './KamflowCard.tsx';
import { fetchRunStatus } from './run-status.ts';

hubspot.extend<'crm.record.tab'>(({ context }) => <KamflowCard context={context} loadRunStatus={fetchRunStatus} />);
