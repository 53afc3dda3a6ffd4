module.exports = { displayName: 'broker', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
