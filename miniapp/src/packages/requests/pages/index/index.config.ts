export default definePageConfig({ navigationBarTitleText: '网上营业厅' });
