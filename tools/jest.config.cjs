module.exports = {
  displayName: 'workspace-tools',
  preset: '../jest.preset.js',
  roots: ['<rootDir>', '<rootDir>/../deploy'],
  testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/../deploy/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/bench/'],
  testTimeout: 60000,
};
