export default definePageConfig({ navigationBarTitleText: '电费缴纳' });
