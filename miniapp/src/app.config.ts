// The main package holds the four tab pages; each feature area is a subpackage loaded on demand.
export default defineAppConfig({
  pages: ['pages/home/index', 'pages/bills/index', 'pages/services/index', 'pages/me/index'],
  subPackages: [
    { root: 'packages/payments', name: 'payments', pages: ['pages/index/index', 'pages/result/index', 'pages/history/index', 'pages/receipt/index'] },
    { root: 'packages/bills', name: 'bills', pages: ['pages/detail/index'] },
    { root: 'packages/outages', name: 'outages', pages: ['pages/index/index', 'pages/detail/index'] },
    {
      root: 'packages/requests',
      name: 'requests',
      pages: ['pages/index/index', 'pages/form/index', 'pages/capacity/index', 'pages/mine/index', 'pages/detail/index'],
    },
    { root: 'packages/applications', name: 'applications', pages: ['pages/index/index'] },
    { root: 'packages/account', name: 'account', pages: ['pages/login/index', 'pages/bind/index', 'pages/agreement/index', 'pages/privacy/index'] },
  ],
  window: {
    navigationBarBackgroundColor: '#0b6e4f',
    navigationBarTextStyle: 'white',
    navigationBarTitleText: '电力客户服务',
    // Shows Taro's own navigation bar on H5 too (title; back, or 首页 when opened directly).
    navigationStyle: 'default',
    backgroundColor: '#f4f7f5',
    backgroundTextStyle: 'light',
  },
  tabBar: {
    color: '#5b6b65',
    selectedColor: '#0b6e4f',
    backgroundColor: '#ffffff',
    borderStyle: 'white',
    list: [
      { pagePath: 'pages/home/index', text: '首页', iconPath: 'assets/tab/home.png', selectedIconPath: 'assets/tab/home-active.png' },
      { pagePath: 'pages/bills/index', text: '账单', iconPath: 'assets/tab/bills.png', selectedIconPath: 'assets/tab/bills-active.png' },
      { pagePath: 'pages/services/index', text: '服务', iconPath: 'assets/tab/services.png', selectedIconPath: 'assets/tab/services-active.png' },
      { pagePath: 'pages/me/index', text: '我的', iconPath: 'assets/tab/me.png', selectedIconPath: 'assets/tab/me-active.png' },
    ],
  },
  preloadRule: {
    'pages/home/index': { network: 'all', packages: ['payments'] },
    // A bill row opens the detail page, so fetch its subpackage while the list is read.
    'pages/bills/index': { network: 'all', packages: ['bills'] },
    // Every entry on the services tab but payments and outages opens a page of the requests subpackage.
    'pages/services/index': { network: 'all', packages: ['requests'] },
  },
});
