// Integration tests that compose several services in ONE process (e.g. the in-memory trace test), against the real
// NATS/Redis with per-run prefixes. The process-per-service suite is jest.config.cjs (*.e2e-spec.ts).
module.exports = {
  displayName: 'e2e:int',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.int-spec.ts'],
  testTimeout: 60000,
};
