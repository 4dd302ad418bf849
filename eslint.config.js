// Lint for liftwatch: typescript-eslint's type-aware rules over src, test and bench (one
// tsconfig covers all three). Runs in `npm test`, so in CI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.scratch/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_name` marks a value left unused on purpose (a destructured field dropped, a callback's
      // unused argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Matching control characters is the point where it is done: NUL in an MQTT topic level,
      // ANSI colour codes in the CLI's output, binary bytes in a file given as a config.
      'no-control-regex': 'off',
      // The findings of these rules when lint was introduced (about 40, listed by `npm run lint`)
      // are warnings until they are worked through; new code should not add to them.
      '@typescript-eslint/no-base-to-string': 'warn',
      '@typescript-eslint/require-await': 'warn',
      '@typescript-eslint/only-throw-error': 'warn',
      '@typescript-eslint/unbound-method': 'warn',
      '@typescript-eslint/no-unused-expressions': 'warn',
      '@typescript-eslint/no-unnecessary-type-assertion': 'warn',
      '@typescript-eslint/prefer-promise-reject-errors': 'warn',
      '@typescript-eslint/restrict-template-expressions': 'warn',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read JSON payloads and tap's results loosely by design: a wrong shape fails the
      // assertion that reads it, which is the point of the test.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // tap runs the subtests a file declares with t.test() without them being awaited, and
      // takes async callbacks that need no await: both are its documented style.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'skip', 'todo', 'only'], package: 'tap' }] }],
      '@typescript-eslint/require-await': 'off',
    },
  },
);
