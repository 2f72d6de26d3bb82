module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'billing',
  rootDir: __dirname,
  // Each file boots the app on its own database; a couple at a time is what two cores can take.
  maxWorkers: 2,
};
