module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'replay',
  rootDir: __dirname,
};
