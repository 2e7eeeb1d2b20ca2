/** What differs between the mini-program and the H5 page, behind one typed interface. */

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  data: unknown;
}

/** Thrown when the platform cannot do something at all; callers fall back (SMS instead of subscribe messages). */
export class PlatformUnsupportedError extends Error {
  override name = 'PlatformUnsupportedError';
  constructor(readonly capability: string) {
    super(`${capability} is not available on this platform`);
  }
}

/** A network failure before any HTTP status (offline, DNS, timeout). */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export type LoginCredential = { kind: 'wechat'; code: string };

/** What the server returns to start a payment, per channel. */
export type PaymentLaunch =
  | { kind: 'wechat_jsapi'; appId?: string; timeStamp: string; nonceStr: string; package: string; signType: 'RSA'; paySign: string; demoCashierUrl?: string }
  | { kind: 'redirect'; url: string };

/**
 * The outcome of handing the customer to the payment UI. Never "paid": only the server, told by the
 * gateway, knows that; the page asks the server after this returns.
 */
export type PaymentLaunchResult = 'submitted' | 'cancelled' | 'redirected';

export type SubscribeDecision = 'accept' | 'reject' | 'ban' | 'filter';

export interface PickedFile {
  name: string;
  size: number;
  /** A path (mini-program) or an object URL (H5) the upload call understands. */
  source: string;
  mimeType?: string;
}

export interface Platform {
  readonly name: 'weapp' | 'h5';
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Mini-program: a one-time WeChat login code. H5 has none (PlatformUnsupportedError): use SMS login. */
  login(): Promise<LoginCredential>;
  launchPayment(launch: PaymentLaunch): Promise<PaymentLaunchResult>;
  /** Must be called from a tap handler. H5 has no subscribe messages (PlatformUnsupportedError). */
  requestSubscribe(templateIds: string[]): Promise<Record<string, SubscribeDecision>>;
  pickFiles(options: { count: number; accept: 'image' | 'image-or-pdf' }): Promise<PickedFile[]>;
  /** A multipart POST of one picked file under `field`, with plain form `fields` beside it. */
  uploadFile(options: {
    url: string;
    file: PickedFile;
    field: string;
    fields?: Record<string, string>;
    headers: Record<string, string>;
  }): Promise<HttpResponse>;
  storage: {
    get(key: string): string | undefined;
    set(key: string, value: string): void;
    remove(key: string): void;
  };
  call(phoneNumber: string): void;
  /**
   * Before login: WeChat's own privacy authorisation (the mini-program review requires it); true
   * once the customer agreed. H5 has none: the login page's consent checkbox is the whole flow.
   */
  authorizePrivacy(): Promise<boolean>;
  /** Once the app has mounted: H5 gives Taro's navigation bar buttons names and keyboard use; weapp has the native bar. */
  prepareShell(): void;
  /**
   * The page was opened by an outside page (a gateway's cashier): Back leaves for `path` instead of
   * returning there. The mini-program opens such pages with redirectTo, so there it does nothing.
   */
  backLeavesTo(path: string): void;
}
