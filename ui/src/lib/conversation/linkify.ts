/**
 * Splits customer text into plain runs and web links, so a view can draw links as buttons that
 * open outside the app on click. Invariants: joining the segments' `text` gives the input back
 * unchanged; only `http(s)://` and `www.` links are recognised, and `href` is always http(s).
 */
export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// Stops at whitespace, CJK punctuation and full-width characters, which never belong to a URL in chat.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+/gi;
// Trailing punctuation that ends a sentence rather than the URL.
const TRAILING = /[.,;:!?)\]}'"]+$/;

export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let url = match[0];
    const start = match.index ?? 0;
    const trailing = url.match(TRAILING);
    if (trailing) {
      // Keep a closing parenthesis that balances one inside the URL (wiki-style links).
      let cut = trailing[0];
      if (cut.startsWith(')') && (url.match(/\(/g)?.length ?? 0) > (url.slice(0, -cut.length).match(/\)/g)?.length ?? 0)) {
        cut = cut.slice(1);
      }
      url = url.slice(0, url.length - cut.length);
    }
    if (url.length < 5 || /^www\.$/i.test(url)) continue;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    out.push({ kind: 'link', text: url, href: /^www\./i.test(url) ? `https://${url}` : url });
    last = start + url.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** True for an absolute http(s) URL: the only kind the app hands to the system opener. */
export function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
