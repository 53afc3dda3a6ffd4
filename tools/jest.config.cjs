module.exports = { displayName: 'workspace-tools', preset: '../jest.preset.js', testMatch: ['<rootDir>/**/*.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/bench/'] };
