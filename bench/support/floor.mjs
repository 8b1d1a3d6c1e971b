// The read-and-parse floor: read the whole snapshot file and JSON.parse it, nothing else.
import { readFileSync } from 'node:fs';

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(`${Object.keys(doc).length} keys\n`);
