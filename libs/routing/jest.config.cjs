module.exports = { displayName: 'routing', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
