import { ServiceIntro } from '../../../../components/ServiceIntro';

export default function RequestsHome() {
  return (
    <ServiceIntro
      title='故障报修'
      paragraphs={[
        '家中停电时，请先确认是否欠费、家中空气开关是否跳闸，再看邻居是否同样停电。',
        '发现电线断落、设备冒烟等危险情况，请远离现场并立即拨打服务热线。',
      ]}
      checklist={{ title: '报修时请准备', items: ['户号或用电地址', '故障现象与开始时间', '现场照片（如方便）'] }}
    />
  );
}
