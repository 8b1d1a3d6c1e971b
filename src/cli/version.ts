import { readFileSync } from 'node:fs';

/**
 * The installed package's version, from the package.json above this file: the same walk up
 * works from the sources (src/cli) and from the compiled code (dist/src/cli).
 */
export function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'kamflow' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not here; one level up.
    }
    if (dir.pathname === '/') return 'unknown';
  }
}
