// One linter for the workspace. The import-direction rule below is what keeps ARCHITECTURE.md's
// arrows pointing one way: a package may import only the @cauce packages listed for it, and only
// through their public face (no deep paths).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** package -> the @cauce packages it may import (ARCHITECTURE.md, "Parts and arrows"). */
const allowed = {
  frame: [],
  protocol: [],
  ml: ['frame'],
  data: ['frame', 'ml'],
  server: ['protocol'],
  client: ['protocol', 'ml', 'frame', 'data'],
  serving: ['client', 'ml', 'frame', 'data'],
  flow: ['serving', 'client', 'data', 'ml', 'frame'],
  ui: ['protocol'],
  cli: ['protocol', 'server', 'frame', 'ml', 'data', 'client', 'serving', 'flow'],
};
const all = Object.keys(allowed);

const directionRules = Object.entries(allowed).map(([pkg, ok]) => ({
  files: [`packages/${pkg}/**/*.ts`, `packages/${pkg}/**/*.tsx`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...all
            .filter((p) => p !== pkg && !ok.includes(p))
            .map((p) => ({
              group: [`@cauce/${p}`, `@cauce/${p}/*`],
              message: `packages/${pkg} may not import @cauce/${p}: see ARCHITECTURE.md (allowed: ${ok.join(', ') || 'none'}).`,
            })),
          { group: ['@cauce/*/*'], message: 'Import a package only through its public face (src/index.ts).' },
          {
            group: ['../../*/src/*', '../../../*/src/*'],
            message: 'Do not reach into another package by path.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'cauce-data/**', 'bench/results/**', '**/*.js', '**/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...directionRules,
);
