module.exports = { displayName: 'edge-api', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
