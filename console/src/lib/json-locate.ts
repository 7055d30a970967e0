/**
 * Where each value of a JSON text starts, by JSON pointer (`/queues/0/id`): what lets an error at a
 * path be shown at its line in the editor. A small scanner over valid JSON (the editor only asks
 * after JSON.parse succeeded).
 */
export function locateAll(text: string): Map<string, { start: number; end: number }> {
  const found = new Map<string, { start: number; end: number }>();
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
  const value = (path: string): void => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          const key = str();
          ws();
          i++; // :
          value(`${path}/${esc(key)}`);
          ws();
          if (text[i++] === '}') break;
        }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else
        for (let n = 0; ; n++) {
          value(`${path}/${n}`);
          ws();
          if (text[i++] === ']') break;
        }
    } else if (c === '"') str();
    else while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    found.set(path, { start, end: i });
  };
  try {
    value('');
  } catch {
    // Not valid JSON: nothing located.
  }
  return found;
}

/** `queues.0.members.1` (the API's field names) or `#/queues/0` ▶ `/queues/0/members/1`. */
export function toPointer(path: string): string {
  if (path === '(root)' || path === 'body' || path === '#' || path === '') return '';
  if (path.startsWith('#')) return path.slice(1);
  return `/${path.split('.').join('/')}`;
}

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text[k] === '\n') line++;
  return line;
}
