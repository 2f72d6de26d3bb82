module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'rating',
  rootDir: __dirname,
};
