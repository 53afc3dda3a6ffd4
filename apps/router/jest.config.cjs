module.exports = { displayName: 'router', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
