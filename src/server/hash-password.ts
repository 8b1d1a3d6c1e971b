import { hashPassword } from './password.ts';

/**
 * Prints an admin password hash for KAMFLOW_ADMIN_PASSWORD_HASH. The password is read from
 * stdin so it stays out of shell history and process listings:
 *   printf '%s' 'my long password' | npx tsx src/server/hash-password.ts
 */
async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  try {
    process.stdout.write(`${await hashPassword(password)}\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}

await main();
