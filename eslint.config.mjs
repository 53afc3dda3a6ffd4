// Lint = module boundaries first. Every project carries a `scope:*` and a `type:*` tag (tools/workspace.spec.ts fails
// on an untagged project); the constraints below say who may import whom, and which libraries may not touch
// infrastructure packages at all.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const INFRA = ['@nestjs/*', 'nats', '@prisma/*', 'ioredis', 'bullmq', 'fastify', 'mariadb'];

/** Who may import whom. Test files (`allowTesting`) may also import the fakes and harnesses of @aisbf/testing. */
function boundaries(allowTesting) {
  const t = (tags) => (allowTesting ? [...tags, 'type:testing', 'scope:testing'] : tags);
  const services = ['scope:edge', 'scope:router', 'scope:workers', 'scope:analytics', 'scope:broker'];
  return {
    enforceBuildableLibDependency: false,
    allowCircularSelfDependency: false,
    banTransitiveDependencies: false,
    depConstraints: [
      // layers
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: t([]), bannedExternalImports: [...INFRA, 'openai', '@anthropic-ai/*', '@google/genai', 'ollama'] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: t(['type:contracts']), bannedExternalImports: INFRA },
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: t(['type:contracts', 'type:util']), bannedExternalImports: INFRA },
      { sourceTag: 'type:adapters', onlyDependOnLibsWithTags: t(['type:contracts', 'type:util']), bannedExternalImports: INFRA },
      { sourceTag: 'type:platform', onlyDependOnLibsWithTags: t(['type:contracts', 'type:util', 'type:platform']) },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:contracts', 'type:util'], bannedExternalImports: ['@nestjs/*'] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: t(['type:contracts', 'type:util', 'type:domain', 'type:adapters', 'type:platform']) },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:contracts', 'type:util', 'type:platform', 'type:app'] },
      { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:testing', 'type:contracts', 'type:util', 'type:platform'] },
      // scopes: services share only the shared libraries; nothing but the e2e suite imports a service
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: t(['scope:shared']) },
      ...services.map((scope) => ({ sourceTag: scope, onlyDependOnLibsWithTags: t(['scope:shared']) })),
      { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing', ...services] },
      { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'] },
    ],
  };
}

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', 'tmp/**', 'deploy/helm/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  ...nx.configs['flat/base'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through @aisbf/platform-config (loadEnv), parsed once at start-up.',
        },
      ],
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    // Test code: specs and the test-only support folders next to them.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/src/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // Config parsing, the e2e/bench harnesses and test files legitimately read the environment.
    files: ['libs/platform/config/src/**/*.ts', 'libs/testing/src/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'tools/**/*.ts', 'prisma.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
];
