module.exports = { displayName: 'workspace-tools:int', preset: '../jest.preset.js', testMatch: ['<rootDir>/**/*.int-spec.ts'], testTimeout: 60000 };
