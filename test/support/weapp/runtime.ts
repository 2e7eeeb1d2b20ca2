import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { WeappPage, type PageInstance, type Rendered } from './page';
import { compileWxml, type GenerateFunc } from './wxml';
import { createWx, type Navigator, type WxOptions, type WxRecord } from './wx';

const WEAPP_OUT = path.resolve(import.meta.dirname, '../../../miniapp/dist/weapp');

const require = createRequire(import.meta.url);

interface AppJson {
  pages: string[];
  subPackages: Array<{ root: string; pages: string[] }>;
  tabBar: { list: Array<{ pagePath: string }> };
}

interface Simulate {
  load(definition: object): string;
  render(id: string): Rendered;
}

/** j-component renders into a DOM: jsdom's, installed once per test process (no page code sees it). */
function installDom(): void {
  if (typeof (globalThis as { document?: unknown }).document !== 'undefined') return;
  const { JSDOM } = require('jsdom') as { JSDOM: new (html: string, options: object) => { window: Window & typeof globalThis } };
  const { window } = new JSDOM('<!doctype html><html><head></head><body></body></html>', { pretendToBeVisual: true });
  Object.assign(globalThis, { window, document: window.document, CustomEvent: window.CustomEvent, TouchEvent: window.TouchEvent });
}

function splitUrl(url: string): { route: string; query: Record<string, string> } {
  const [pathPart = '', search = ''] = url.split('?');
  return { route: pathPart.replace(/^\//, ''), query: Object.fromEntries(new URLSearchParams(search)) };
}

/**
 * The built mini-program, run as the WeChat client runs it: `app.js` and each page's script in a
 * realm of their own holding the logic layer's globals; each page's .wxml (Taro's base.wxml
 * templates) compiled by wcc and rendered by j-component on exparser, WeChat's component engine,
 * from the data the page's setData sends. One per test file: as in the client, a page's script runs
 * once and its Page() is reused for every later visit.
 */
export class MiniProgram implements Navigator {
  readonly record: WxRecord;
  readonly appJson: AppJson;
  private readonly simulate: Simulate;
  private readonly gwx: (wxmlPath: string) => GenerateFunc;
  private readonly scripts = new Set<string>();
  private readonly definitions = new Map<string, string>();
  private readonly tabs = new Map<string, WeappPage>();
  private readonly host: HTMLElement;
  private stack: WeappPage[] = [];
  private loadingRoute = '';
  private pageOptions = new Map<string, Record<string, unknown>>();
  private appInstance: Record<string, any> | undefined;
  private compId = '';
  private componentDefinition: Record<string, unknown> | undefined;
  private readonly appService: vm.Context;

  constructor(options: WxOptions) {
    installDom();
    this.appJson = JSON.parse(readFileSync(path.join(WEAPP_OUT, 'app.json'), 'utf8'));
    // miniprogram-simulate brings j-component, the built-in tags (view, text, button…) and a base `wx`.
    this.simulate = require('miniprogram-simulate') as Simulate;
    const { wx, record } = createWx(options, this);
    this.record = record;
    const simulateWx = (globalThis as unknown as { wx: object }).wx;
    this.appService = vm.createContext(
      appServiceGlobals({
        wx: Object.assign(simulateWx, wx),
        App: (appOptions: Record<string, unknown>) => void (this.appInstance = appOptions),
        getApp: () => this.appInstance,
        Page: (pageOptions: Record<string, unknown>) => void this.pageOptions.set(this.loadingRoute, pageOptions),
        Component: (definition: Record<string, unknown>) => void (this.componentDefinition = definition),
        getCurrentPages: () => this.stack.map((page) => page.instance),
      }),
    );
    this.gwx = compileWxml(WEAPP_OUT);
    this.host = document.createElement('app-host');
    document.body.appendChild(this.host);
  }

  /** Runs app.js (which requires the shared chunks) and launches the app on `url`. */
  async launch(url: string): Promise<WeappPage> {
    this.runScript(path.join(WEAPP_OUT, 'app.js'));
    if (!this.appInstance) throw new Error('app.js did not call App()');
    const { route, query } = splitUrl(url);
    const launchOptions = { path: route, query, scene: 1001 };
    this.appInstance.onLaunch?.call(this.appInstance, launchOptions);
    this.appInstance.onShow?.call(this.appInstance, launchOptions);
    await this.reLaunch(url);
    return this.page;
  }

  get page(): WeappPage {
    const top = this.stack.at(-1);
    if (!top) throw new Error('no page is open');
    return top;
  }

  get routes(): string[] {
    return this.stack.map((page) => page.route);
  }

  async navigateTo(url: string) {
    const { route, query } = this.checked(url, false);
    this.stack.at(-1)?.hide();
    this.stack.push(this.open(route, query));
  }

  async redirectTo(url: string) {
    const { route, query } = this.checked(url, false);
    this.stack.pop()?.unload();
    this.stack.push(this.open(route, query));
  }

  async switchTab(url: string) {
    const { route } = this.checked(url, true);
    const top = this.stack.at(-1);
    // Every page above the tabs closes; the tab pages stay loaded and are shown or hidden.
    while (this.stack.length > 1) this.stack.pop()!.unload();
    if (this.stack[0]?.route === route) {
      if (top !== this.stack[0]) this.stack[0].show();
      return;
    }
    this.stack.pop()?.hide();
    const existing = this.tabs.get(route);
    if (existing) {
      existing.show();
      this.stack = [existing];
    } else {
      const page = this.open(route, {});
      this.tabs.set(route, page);
      this.stack = [page];
    }
  }

  async reLaunch(url: string) {
    const { route, query } = splitUrl(url);
    this.assertPage(route);
    while (this.stack.length) this.stack.pop()!.unload();
    for (const tab of this.tabs.values()) tab.unload();
    this.tabs.clear();
    const page = this.open(route, query);
    if (this.isTab(route)) this.tabs.set(route, page);
    this.stack = [page];
  }

  async navigateBack(delta: number) {
    if (this.stack.length <= 1) throw new Error('cannot navigate back at first page');
    for (let i = 0; i < delta && this.stack.length > 1; i += 1) this.stack.pop()!.unload();
    this.stack.at(-1)!.show();
  }

  /** Closes every page, as the client does when the app is destroyed. */
  close(): void {
    while (this.stack.length) this.stack.pop()!.unload();
    for (const tab of this.tabs.values()) tab.unload();
    this.tabs.clear();
    this.host.remove();
  }

  private isTab(route: string): boolean {
    return this.appJson.tabBar.list.some((tab) => tab.pagePath === route);
  }

  private assertPage(route: string): void {
    const all = [...this.appJson.pages, ...this.appJson.subPackages.flatMap((sub) => sub.pages.map((page) => `${sub.root}/${page}`))];
    if (!all.includes(route)) throw new Error(`page "${route}" is not found`);
  }

  /** The client's rules: a page must be in app.json, and tab pages are reached only through switchTab. */
  private checked(url: string, tab: boolean) {
    const target = splitUrl(url);
    this.assertPage(target.route);
    if (this.isTab(target.route) !== tab)
      throw new Error(tab ? `can not switchTab to a non-tabBar page ${target.route}` : `can not navigateTo a tabbar page ${target.route}`);
    return target;
  }

  private open(route: string, query: Record<string, string>): WeappPage {
    const rendered = this.simulate.render(this.definition(route));
    rendered.attach(this.host);
    const instance = rendered.instance as PageInstance;
    // The logic layer's setData reaches the view layer serialised, as between WeChat's two threads.
    const setData = instance.setData as (data: object, callback?: () => void) => void;
    instance.setData = (data: object, callback?: () => void) => setData(viewData(data), callback);
    instance.route = route;
    instance.__route__ = route;
    instance.options = query;
    const page = new WeappPage(route, rendered);
    page.load(query);
    return page;
  }

  /** Runs the page's script once (it calls Page()) and registers the page with j-component. */
  private definition(route: string): string {
    const known = this.definitions.get(route);
    if (known) return known;
    this.loadingRoute = route;
    this.runScript(path.join(WEAPP_OUT, `${route}.js`));
    const options = this.pageOptions.get(route);
    if (!options) throw new Error(`${route}.js did not call Page()`);
    const methods = Object.fromEntries(Object.entries(options).filter(([, value]) => typeof value === 'function'));
    const id = this.simulate.load({
      id: `page-${this.definitions.size}`,
      path: `/${route}`,
      template: this.gwx(`${route}.wxml`),
      usingComponents: this.usingComponents(route),
      data: viewData(options.data ?? {}),
      methods,
    });
    this.definitions.set(route, id);
    return id;
  }

  /** Taro's pages use one custom component, `comp`, for subtrees deeper than base.wxml's levels. */
  private usingComponents(route: string): Record<string, string> {
    const json = JSON.parse(readFileSync(path.join(WEAPP_OUT, `${route}.json`), 'utf8')) as { usingComponents?: Record<string, string> };
    const names = Object.keys(json.usingComponents ?? {});
    for (const name of names) if (name !== 'comp') throw new Error(`${route} uses a component this runtime does not load: ${name}`);
    if (names.length === 0) return {};
    if (!this.compId) {
      this.runScript(path.join(WEAPP_OUT, 'comp.js'));
      const captured = this.componentDefinition;
      if (!captured) throw new Error('comp.js did not call Component()');
      this.compId = 'taro-comp';
      this.simulate.load({
        ...captured,
        properties: this.hostProperties(captured.properties as Record<string, { type: unknown; value?: unknown }> | undefined),
        id: this.compId,
        tagName: 'comp',
        template: this.gwx('comp.wxml'),
        usingComponents: { comp: this.compId },
      });
    }
    return { comp: this.compId };
  }

  /** Property types name the logic layer's constructors; exparser knows its own realm's. */
  private hostProperties(properties: Record<string, { type: unknown; value?: unknown }> = {}) {
    const theirs = vm.runInContext('[Object, String, Number, Boolean, Array]', this.appService) as unknown[];
    const ours = [Object, String, Number, Boolean, Array];
    return Object.fromEntries(
      Object.entries(properties).map(([name, { type, value }]) => [name, { type: ours[theirs.indexOf(type)] ?? null, value: viewData(value) }]),
    );
  }

  /** The client's `require`: each built script runs once, relative requires resolve beside it. */
  private runScript(file: string): void {
    const resolved = file.endsWith('.js') ? file : `${file}.js`;
    if (this.scripts.has(resolved)) return;
    this.scripts.add(resolved);
    const source = readFileSync(resolved, 'utf8');
    const module = { exports: {} };
    const run = vm.runInContext(`(function (require, module, exports) {${source}\n})`, this.appService, { filename: resolved }) as (...args: unknown[]) => void;
    run((request: string) => this.runScript(path.resolve(path.dirname(resolved), request)), module, module.exports);
  }
}

/** What survives the trip from the logic layer to the view: JSON. */
function viewData<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/**
 * The logic layer's globals: the mini-program APIs and timers, and none of Node's or a browser's
 * (no fetch, document, localStorage, process, crypto…), so code that needs them fails here as it
 * would on a phone. Taro brings its own window and document into the bundle.
 */
function appServiceGlobals(api: Record<string, unknown>): Record<string, unknown> {
  return { ...api, console, setTimeout, clearTimeout, setInterval, clearInterval };
}
