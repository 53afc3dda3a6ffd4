module.exports = { displayName: 'platform-observability', preset: '../../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
