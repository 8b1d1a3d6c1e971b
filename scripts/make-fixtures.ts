// Rewrites test/fixtures/sample-snapshot.json from its generator options.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateSampleOrg } from '../src/sandbox/generate.ts';
import { SAMPLE_FIXTURE_OPTIONS, SAMPLE_FIXTURE_PATH, sampleFixtureJson } from '../test/fixtures/sample-org.ts';

writeFileSync(SAMPLE_FIXTURE_PATH, sampleFixtureJson(generateSampleOrg(SAMPLE_FIXTURE_OPTIONS)));
process.stdout.write(`wrote ${fileURLToPath(SAMPLE_FIXTURE_PATH)}\n`);
