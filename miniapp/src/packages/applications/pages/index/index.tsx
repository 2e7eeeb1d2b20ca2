import { ServiceIntro } from '../../../../components/ServiceIntro';

export default function ApplicationsHome() {
  return (
    <ServiceIntro
      title='新装增容'
      paragraphs={[
        '低压居民与小微企业新装：受理后装表接电，无外线工程的 5 个工作日内完成，有外线工程的 15 个工作日内完成，全程无需到厅。',
        '高压新装与增容：受理、现场勘查、供电方案答复、设计审查、中间检查、竣工检验、装表接电，每一环节都有办理时限。',
      ]}
      checklist={{
        title: '申请材料',
        items: ['居民：身份证、房屋产权证明', '企业：营业执照、项目批准文件', '企业：用电地址平面图、用电设备清单'],
      }}
    />
  );
}
