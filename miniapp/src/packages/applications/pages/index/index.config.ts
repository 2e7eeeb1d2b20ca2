export default definePageConfig({ navigationBarTitleText: '新装增容' });
