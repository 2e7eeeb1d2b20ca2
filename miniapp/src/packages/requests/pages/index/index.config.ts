export default definePageConfig({ navigationBarTitleText: '故障报修' });
