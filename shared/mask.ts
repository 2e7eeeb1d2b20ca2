/** Masks personal data for display: enough to recognise one's own account, not to learn another's. */

/** 张三 → 张*, 欧阳小明 → 欧**明, Li Wei → L*****. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  if (/^[\u4e00-\u9fff]+$/.test(name.trim())) return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
  return `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

/** Keeps the district-level start of an address and hides the rest: 杭州市西湖区文三路 90 号 → 杭州市西湖区****. */
export function maskAddress(address: string): string {
  const chars = [...address.trim()];
  const districtEnd = chars.findIndex((char, index) => index >= 2 && (char === '区' || char === '县'));
  const keep = districtEnd >= 0 ? districtEnd + 1 : Math.min(6, Math.floor(chars.length / 2));
  return `${chars.slice(0, keep).join('')}****`;
}

/** 13812345678 → 138****5678. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : '****';
}
