/**
 * Media the window plays. WebKitGTK's media engine cannot read a custom URI scheme (it answers
 * MEDIA_ERR_SRC_NOT_SUPPORTED for `kefu-media://`), while `fetch` can: a stored voice or video is
 * fetched when the agent presses play and handed to the element as a `blob:` URL, released when
 * the element goes away. Only the app's own media origin is ever fetched.
 */
export const MEDIA_ORIGIN = 'kefu-media://localhost/';

type Fetch = (url: string) => Promise<Pick<Response, 'ok' | 'status' | 'blob'>>;

/** A `blob:` URL of a stored media file; throws for any other URL or a failed read. */
export async function playableUrl(url: string, fetcher: Fetch = (u) => fetch(u)): Promise<string> {
  if (!url.startsWith(MEDIA_ORIGIN)) throw new Error('not a stored media file');
  const res = await fetcher(url);
  if (!res.ok) throw new Error(`media ${res.status}`);
  return URL.createObjectURL(await res.blob());
}

/** Releases a URL made by `playableUrl`. */
export function release(url: string | null): void {
  if (url?.startsWith('blob:')) URL.revokeObjectURL(url);
}
