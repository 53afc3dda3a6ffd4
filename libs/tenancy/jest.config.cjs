module.exports = { displayName: 'tenancy', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
