export default definePageConfig({ navigationBarTitleText: '停电详情' });
