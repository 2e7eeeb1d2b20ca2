export default definePageConfig({ navigationBarTitleText: '电力客户服务', enablePullDownRefresh: false });
