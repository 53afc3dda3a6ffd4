module.exports = { displayName: 'platform-redis:int', preset: '../../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.int-spec.ts'], testTimeout: 30000 };
