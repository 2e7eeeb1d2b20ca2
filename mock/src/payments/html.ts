/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A phone-sized page for the mock cashiers: plain forms, no script, so a test can post them too. */
export function cashierPage(options: { title: string; brand: string; color: string; body: string }): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>
  body { margin: 0; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; background: #f2f2f2; color: #222; }
  header { background: ${options.color}; color: #fff; padding: 14px 16px; font-size: 17px; }
  main { padding: 16px; }
  .card { background: #fff; border-radius: 8px; padding: 20px 16px; text-align: center; }
  .amount { font-size: 36px; font-weight: 600; margin: 8px 0 4px; }
  .muted { color: #888; font-size: 14px; }
  .note { background: #fff8e1; border-radius: 6px; padding: 10px 12px; font-size: 13px; color: #795548; margin-top: 12px; }
  form { margin: 12px 0 0; }
  button { width: 100%; padding: 13px; font-size: 17px; border-radius: 6px; border: 0; }
  button.pay { background: ${options.color}; color: #fff; }
  button.cancel { background: #fff; color: #333; border: 1px solid #ddd; }
</style>
</head>
<body>
<header>${escapeHtml(options.brand)}（模拟收银台）</header>
<main>${options.body}</main>
</body>
</html>`;
}

/** A hidden-field form with one button. */
export function actionForm(action: string, fields: Record<string, string>, button: { label: string; className: string; name: string }): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<form method="post" action="${escapeHtml(action)}">${inputs}<button type="submit" class="${button.className}" name="${escapeHtml(button.name)}">${escapeHtml(button.label)}</button></form>`;
}
