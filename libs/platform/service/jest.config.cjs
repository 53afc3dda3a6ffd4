module.exports = { displayName: 'platform-service', preset: '../../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
