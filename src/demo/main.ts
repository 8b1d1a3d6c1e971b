import { demoMain } from './cli.ts';

process.exitCode = await demoMain(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
