import { ServiceIntro } from '../../../../components/ServiceIntro';

export default function PaymentsHome() {
  return (
    <ServiceIntro
      title='电费缴纳'
      paragraphs={[
        '绑定户号后即可查看应缴金额并在线缴费，支持微信支付与支付宝，也可预存电费。',
        '缴费结果以供电公司收到支付机构的通知为准，到账后账单状态实时更新，并生成电子收据。',
      ]}
      checklist={{ title: '其他缴费渠道', items: ['银行网点与手机银行', '合作便利店', '供电营业厅'] }}
    />
  );
}
