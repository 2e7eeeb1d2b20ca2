export default definePageConfig({ navigationBarTitleText: '停电信息' });
