// Type-aware lint of the TypeScript tree. The room rules here repeat, as import bans, what the
// import-graph test (test/architecture) checks in full; neither names a source.
import tseslint from 'typescript-eslint';

const notASourceFolder = {
  group: ['**/connectors/*/**', '!**/connectors/shared/**', '**/mappings/**'],
  message: 'Only a source\'s own folder, its mapping and connectors/registry.ts reach into a source; use the registry or connectors/shared.',
};
const noConnectors = {
  group: ['**/connectors/**', '**/mappings/**'],
  message: 'This room knows no source: it gets what it needs through src/contract or from its caller.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'out/**', 'dist/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { group: ['../model/**'], allowTypeImports: true, message: 'The contract imports only types from src/model.' },
        { group: ['../*/**', '!../model/**', '../../**'], message: 'The contract imports no room of Kamflow.' },
      ] }],
    },
  },
  {
    files: ['src/analyze/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { group: ['../*/**', '!../model/**', '!../config/**', '../../**', '../*.ts'], message: 'The analysis imports only src/model and src/config.' },
      ] }],
    },
  },
  {
    files: ['src/sync/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { group: ['../store/**', '!../store/types.ts', '!../store/snapshot-from-mirror.ts', '!../store/read-mirror.ts'], message: 'The sync engine talks to the Store interface, never to an implementation.' },
        noConnectors,
      ] }],
    },
  },
  {
    files: ['src/store/**/*.ts', 'src/model/**/*.ts', 'src/config/**/*.ts', 'src/server/**/*.ts', 'src/log.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noConnectors] }] },
  },
  {
    files: ['src/console/**/*.ts', 'src/cli/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [notASourceFolder] }] },
  },
);
