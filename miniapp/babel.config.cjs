// babel-preset-taro: React, TypeScript and the platform transforms for both targets.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
