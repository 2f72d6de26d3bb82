module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'host-agent',
  rootDir: __dirname,
};
