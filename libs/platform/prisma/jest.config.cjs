module.exports = { displayName: 'platform-prisma', preset: '../../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.spec.ts'] };
