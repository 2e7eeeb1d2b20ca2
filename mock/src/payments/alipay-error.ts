/** A business or gateway error as Alipay words it: `code`, `msg`, `sub_code`, `sub_msg`. */
export class AlipayError extends Error {
  constructor(
    readonly subCode: string,
    readonly subMsg: string,
    readonly code = '40004',
    readonly msg = 'Business Failed',
  ) {
    super(`${subCode}: ${subMsg}`);
  }

  get body() {
    return { code: this.code, msg: this.msg, sub_code: this.subCode, sub_msg: this.subMsg };
  }
}
