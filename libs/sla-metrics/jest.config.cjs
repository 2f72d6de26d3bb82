module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'sla-metrics',
  rootDir: __dirname,
};
