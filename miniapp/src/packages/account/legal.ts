import { CONSENT_VERSION } from '../../../../shared/consent';

/** The user agreement and privacy policy, in the version a login consents to (CONSENT_VERSION). */
export interface LegalDocument {
  title: string;
  version: string;
  sections: Array<{ heading: string; paragraphs: string[] }>;
}

export const AGREEMENT: LegalDocument = {
  title: '用户服务协议',
  version: CONSENT_VERSION,
  sections: [
    {
      heading: '一、服务内容',
      paragraphs: ['本服务由供电公司提供，用于查询电费账单和用电情况、缴纳电费、查看停电信息、在线办理用电业务和故障报修。'],
    },
    {
      heading: '二、登录与户号',
      paragraphs: [
        '您可以用手机号和短信验证码登录，或在微信小程序中用微信一键登录。验证码只用于本次登录，请勿告诉他人。',
        '绑定户号时，您应是户主本人或已取得户主同意。发现户号被他人绑定，请拨打 95598。',
      ],
    },
    {
      heading: '三、缴费',
      paragraphs: ['电费通过微信支付或支付宝缴纳，是否到账以供电公司的记录为准，可在“缴费记录”中查看。缴费遇到问题请拨打 95598。'],
    },
    {
      heading: '四、您的责任',
      paragraphs: ['请提供真实的信息，不冒用他人的户号或身份，不干扰本服务的正常运行。'],
    },
    {
      heading: '五、协议的变更',
      paragraphs: ['本协议或隐私政策修改后，登录页会显示新的版本，您需要重新阅读并同意后才能登录。'],
    },
    {
      heading: '六、联系我们',
      paragraphs: ['供电服务热线 95598，全天 24 小时。'],
    },
  ],
};

export const PRIVACY: LegalDocument = {
  title: '隐私政策',
  version: CONSENT_VERSION,
  sections: [
    {
      heading: '一、我们收集哪些信息',
      paragraphs: [
        '手机号：用于登录、发送验证码和停电、缴费等短信通知。',
        '微信标识：在小程序中用微信登录时，我们从微信获得您在本小程序的唯一标识，只用于识别您的账号。',
        '户号信息：您绑定的户号、户名（页面上部分隐去）、用电地址、用电量和账单，用于显示账单和计算电费。',
        '缴费记录：订单号、金额、时间和支付渠道。银行卡号等支付信息由微信支付或支付宝处理，我们不会获得。',
        '业务资料：您办理业务或报修时提交的信息、证件和照片。',
        '位置：只用于现场作业，即您报修或预约上门时填写的地址，以及工作人员在现场作业时记录的位置。本服务不会获取您手机的定位。',
      ],
    },
    {
      heading: '二、为什么收集',
      paragraphs: ['为履行供用电合同：计量计费、收缴电费、停电通知、业务办理和抢修，以及保障账号和资金安全。我们不会把您的信息用于与此无关的用途。'],
    },
    {
      heading: '三、与谁共享',
      paragraphs: ['只在完成服务所必需时共享：支付订单信息给微信支付或支付宝，手机号给短信服务商用于发送短信。我们不会出售您的个人信息。'],
    },
    {
      heading: '四、保存多久',
      paragraphs: ['账号信息保存到您注销账号为止；验证码 5 分钟后失效。账单和缴费记录按国家会计档案的规定期限保存，期满后删除或匿名化。'],
    },
    {
      heading: '五、您的权利',
      paragraphs: ['您可以查阅、复制、更正、删除您的个人信息，撤回同意或注销账号。请拨打 95598 提出，我们会在 15 个工作日内答复。'],
    },
    {
      heading: '六、联系我们',
      paragraphs: ['供电服务热线 95598，全天 24 小时。'],
    },
  ],
};
