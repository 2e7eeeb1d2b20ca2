import { rate } from './engine';
import type { BillMonth, TariffVersion, TierScheme } from './types';

/*
 * Shipped tariff presets. Figures marked "(check)" are plausible placeholders, not confirmed
 * published prices; a deployment loads its province's real figures as new versions.
 */

/**
 * 政府性基金及附加 on non-residential kWh, as this preset's configuration (check): the handbook gives
 * no figures. Residential catalogue prices already include them, so residential tariffs carry none;
 * agricultural production is exempt.
 */
const businessFunds = () => [
  { code: 'water_project', name: '国家重大水利工程建设基金', rate: rate('0.002') },
  { code: 'reservoir_resettlement', name: '大中型水库移民后期扶持资金', rate: rate('0.0062') },
  { code: 'renewable', name: '可再生能源电价附加', rate: rate('0.019') },
];

const zhejiangResidentialTiers = (): TierScheme => ({ basis: 'annual', yearStartMonth: 1, limits: [2760, 4800], adders: [0, rate('0.05'), rate('0.30')] });

/** Zhejiang: annual tiers (2760 / 4800 kWh per calendar year), optional peak/valley pricing. */
export const ZHEJIANG: TariffVersion[] = [
  {
    code: 'zj-residential',
    version: 1,
    effectiveFrom: '2012-07-01',
    name: '浙江居民阶梯电价',
    description: 'Residential, annual tiers: ≤2760 kWh 0.538, 2761–4800 0.588, ≥4801 0.838 yuan/kWh',
    customerClass: 'residential',
    pricing: { kind: 'single', rate: rate('0.538') },
    tiers: zhejiangResidentialTiers(),
  },
  {
    code: 'zj-residential-tou',
    version: 1,
    effectiveFrom: '2012-07-01',
    name: '浙江居民峰谷阶梯电价',
    description: 'Residential peak/valley with annual tiers: peak (08–22) 0.568/0.618/0.868, valley (22–08) 0.288/0.338/0.588',
    customerClass: 'residential',
    pricing: { kind: 'tou', rates: { peak: rate('0.568'), valley: rate('0.288') } },
    tiers: zhejiangResidentialTiers(),
  },
  {
    code: 'zj-commercial',
    version: 1,
    effectiveFrom: '2023-06-01',
    name: '浙江一般工商业电价',
    description: 'Commercial, single rate 0.6640 yuan/kWh plus government funds 0.0272 yuan/kWh (check)',
    customerClass: 'commercial',
    pricing: { kind: 'single', rate: rate('0.664') },
    funds: businessFunds(),
  },
  {
    code: 'zj-large-industry',
    version: 1,
    effectiveFrom: '2023-06-01',
    name: '浙江大工业电价',
    description:
      'Large industry, two-part: sharp 1.0212, peak 0.8510, flat 0.6012, valley 0.2902 yuan/kWh plus basic charge 30 yuan per kVA or 48 yuan per kW of maximum demand a month, plus government funds 0.0272 yuan/kWh (check)',
    customerClass: 'large_industry',
    pricing: { kind: 'tou', rates: { sharp: rate('1.0212'), peak: rate('0.851'), flat: rate('0.6012'), valley: rate('0.2902') } },
    demandFenPerKva: 3000,
    demandFenPerKw: 4800,
    funds: businessFunds(),
  },
  {
    code: 'zj-agricultural',
    version: 1,
    effectiveFrom: '2023-06-01',
    name: '浙江农业生产电价',
    description: 'Agricultural production, single rate 0.4820 yuan/kWh (check)',
    customerClass: 'agricultural',
    pricing: { kind: 'single', rate: rate('0.482') },
  },
];

/** Guangdong: monthly tiers with summer limits (May–October 260 / 600 kWh, other months 200 / 400). */
export const GUANGDONG: TariffVersion[] = [
  {
    code: 'gd-residential',
    version: 1,
    effectiveFrom: '2012-07-01',
    name: '广东居民阶梯电价',
    description: 'Residential, monthly tiers: base 0.588, +0.05 in tier 2, +0.30 in tier 3; summer months have higher limits',
    customerClass: 'residential',
    pricing: { kind: 'single', rate: rate('0.588') },
    tiers: {
      basis: 'monthly',
      yearStartMonth: 1,
      limits: [200, 400],
      seasonal: [{ months: [5, 6, 7, 8, 9, 10], limits: [260, 600] }],
      adders: [0, rate('0.05'), rate('0.30')],
    },
  },
];

export const TARIFF_PRESETS: TariffVersion[] = [...ZHEJIANG, ...GUANGDONG];

/** The version of `code` in force on the first day of `month`, or undefined. */
export function tariffInForce<T extends Pick<TariffVersion, 'code' | 'effectiveFrom'>>(versions: readonly T[], code: string, month: BillMonth): T | undefined {
  const firstDay = `${month}-01`;
  return versions
    .filter((version) => version.code === code && version.effectiveFrom <= firstDay)
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
}
