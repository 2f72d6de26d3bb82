module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'host-simulator',
  rootDir: __dirname,
};
