export default definePageConfig({ navigationBarTitleText: '电子收费凭证' });
