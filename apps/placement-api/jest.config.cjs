module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'placement-api',
  rootDir: __dirname,
};
