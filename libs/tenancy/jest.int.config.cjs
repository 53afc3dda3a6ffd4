module.exports = { displayName: 'tenancy:int', preset: '../../jest.preset.js', testMatch: ['<rootDir>/src/**/*.int-spec.ts'], testTimeout: 60000 };
