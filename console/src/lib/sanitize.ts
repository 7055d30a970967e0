/**
 * Customer HTML, made safe in the browser as well as on the server: DOMPurify with a narrow
 * allow-list (no scripts, event handlers, forms, frames, styles or remote content), and every
 * link opening outside the console without a referrer. Defence in depth: the server's
 * sanitize-html already cleaned it, but the console never trusts what it renders.
 */
import DOMPurify from 'dompurify';

const purify = DOMPurify();
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
  // Remote images would tell the sender the agent read the mail (tracking pixels): dropped.
  if (node.tagName === 'IMG') {
    const src = node.getAttribute('src') ?? '';
    if (!src.startsWith('data:image/')) node.removeAttribute('src');
  }
});

export function sanitizeHtml(html: string): string {
  return purify.sanitize(html, {
    ALLOWED_TAGS: [
      'a',
      'b',
      'i',
      'em',
      'strong',
      'u',
      's',
      'p',
      'br',
      'hr',
      'div',
      'span',
      'ul',
      'ol',
      'li',
      'blockquote',
      'pre',
      'code',
      'table',
      'thead',
      'tbody',
      'tr',
      'td',
      'th',
      'h1',
      'h2',
      'h3',
      'h4',
      'img',
      'small',
      'sub',
      'sup',
    ],
    ALLOWED_ATTR: ['href', 'title', 'alt', 'src', 'colspan', 'rowspan'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/)/i,
    FORBID_ATTR: ['style'],
  });
}
