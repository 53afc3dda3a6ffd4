module.exports = { displayName: 'analytics', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
