export default definePageConfig({ navigationBarTitleText: '增容申请' });
