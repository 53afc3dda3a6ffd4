module.exports = { displayName: 'provider-adapters', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
