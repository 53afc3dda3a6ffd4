module.exports = { displayName: 'provider-workers', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
