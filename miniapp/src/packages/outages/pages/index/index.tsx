import { ServiceIntro } from '../../../../components/ServiceIntro';

export default function OutagesHome() {
  return (
    <ServiceIntro
      title='停电信息'
      paragraphs={[
        '计划停电会提前公告停电范围与时间；故障停电在抢修期间会更新预计恢复时间。',
        '绑定户号并开启通知后，您所在台区的停电、变更与复电会第一时间通知您。',
      ]}
    />
  );
}
