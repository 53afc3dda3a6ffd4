module.exports = { displayName: 'platform-messaging', preset: '../../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
