import { createRequire } from 'node:module';
import { eventually } from '../harness';

const require = createRequire(import.meta.url);

/** The `this` of a page's lifecycle methods: the Page() options' methods on a component instance. */
export interface PageInstance {
  route: string;
  __route__: string;
  options: Record<string, string>;
  data: Record<string, unknown>;
  [method: string]: unknown;
}

/** A j-component root: the page's exparser tree, mirrored into the DOM. */
export interface Rendered {
  dom: HTMLElement;
  instance: unknown;
  attach(parent: HTMLElement): void;
  detach(): void;
}

interface Exparser {
  Event: { create(name: string, detail: object, options: object): unknown; dispatchEvent(target: unknown, event: unknown): void };
}

/** What a customer can see of one element: its text and its classes. */
export interface Seen {
  text: string;
  classes: string[];
  element: Element;
}

function normalise(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** One open page of the mini-program, read and tapped through what it rendered. */
export class WeappPage {
  private unloaded = false;

  constructor(
    readonly route: string,
    private readonly rendered: Rendered,
  ) {}

  get instance(): PageInstance {
    return this.rendered.instance as PageInstance;
  }

  load(query: Record<string, string>): void {
    this.call('onLoad', query);
    this.call('onShow');
    this.call('onReady');
  }

  show(): void {
    this.call('onShow');
  }

  hide(): void {
    this.call('onHide');
  }

  unload(): void {
    if (this.unloaded) return;
    this.unloaded = true;
    this.call('onUnload');
    this.rendered.detach();
  }

  /** All the text the page shows, whitespace collapsed. */
  text(): string {
    return normalise(this.rendered.dom.textContent);
  }

  /** Elements with a class (Taro's `className`), as rendered: test ids do not reach weapp templates. */
  all(className: string): Seen[] {
    return [...this.rendered.dom.querySelectorAll(`.${className}`)].map((element) => ({
      text: normalise(element.textContent),
      classes: [...element.classList],
      element,
    }));
  }

  /** Waits until the page shows `text` (or a match), and returns all its text then. */
  async waitForText(text: string | RegExp, timeoutMs = 10_000): Promise<string> {
    return eventually(
      async () => {
        const shown = this.text();
        return (typeof text === 'string' ? shown.includes(text) : text.test(shown)) ? shown : undefined;
      },
      timeoutMs,
      20,
    ).catch((err: Error) => {
      throw new Error(`${this.route} never showed ${String(text)}: ${err.message}\nit shows: ${this.text()}`);
    });
  }

  /** Waits for the innermost element showing exactly `text` (or within `className`) and taps it. */
  async tap(text: string, options: { within?: string } = {}): Promise<void> {
    const element = await eventually(async () => this.find(text, options.within), 10_000, 20).catch(() => {
      throw new Error(`${this.route} has nothing to tap showing "${text}"; it shows: ${this.text()}`);
    });
    this.tapElement(element);
  }

  /** A tap as exparser delivers one: on the touched node, bubbling to the nearest `bindtap`. */
  tapElement(element: Element): void {
    const node = (element as Element & { __wxElement?: unknown }).__wxElement;
    if (!node) throw new Error('the element is not part of the rendered page');
    const exparser = require('miniprogram-exparser') as Exparser;
    exparser.Event.dispatchEvent(
      node,
      exparser.Event.create('tap', { x: 0, y: 0 }, { bubbles: true, composed: true, capturePhase: true, extraFields: { touches: [], changedTouches: [] } }),
    );
  }

  private find(text: string, within?: string): Element | undefined {
    const scope = within ? [...this.rendered.dom.querySelectorAll(`.${within}`)] : [this.rendered.dom];
    for (const root of scope) {
      const matches = [...root.querySelectorAll('*')].filter((element) => normalise(element.textContent) === text);
      // The innermost match is what the finger lands on; the tap bubbles from there.
      const innermost = matches.filter((element) => !matches.some((other) => other !== element && element.contains(other)));
      if (innermost[0]) return innermost[0];
    }
    return undefined;
  }

  private call(method: string, ...args: unknown[]): void {
    const fn = this.instance[method];
    if (typeof fn === 'function') fn.apply(this.instance, args);
  }
}
