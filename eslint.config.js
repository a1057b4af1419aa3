// Lint: typescript-eslint's recommended rules, type-aware where they catch real bugs (floating promises, unsafe any).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'schemas/**', 'fixtures/**', 'coverage/**', '.bench-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  {
    // The demo console's script runs in a browser, not in Node.
    files: ['console/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['document', 'window', 'location', 'history', 'navigator', 'sessionStorage', 'getSelection', 'URLSearchParams'].map((name) => [
          name,
          'readonly',
        ]),
      ),
    },
  },
  {
    // The login page's module runs in a browser.
    files: ['login-page/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', FormData: 'readonly' } },
  },
  {
    // The OIDC test's single-page app runs in a browser.
    files: ['test/browser/spa/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', URLSearchParams: 'readonly' } },
  },
);
