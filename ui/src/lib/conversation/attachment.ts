/**
 * Turns a pasted or dropped file into an attachment for `reply_attachment`: base64 data, a safe
 * display name, and a data-URL preview for images. Invariant: a file over `MAX_ATTACHMENT_BYTES`
 * (WeChat's 20 MB media limit) is refused before it is read.
 */
import { displayName } from './filename';
import type { Attachment } from './undo-send.svelte';

export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

export type AttachmentResult = { ok: true; attachment: Attachment } | { ok: false; reason: 'tooLarge' | 'empty' | 'unreadable' };

/** Base64 of bytes, in chunks (String.fromCharCode on a huge array overflows the stack). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export async function readAttachment(file: File): Promise<AttachmentResult> {
  if (file.size > MAX_ATTACHMENT_BYTES) return { ok: false, reason: 'tooLarge' };
  if (file.size === 0) return { ok: false, reason: 'empty' };
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  const dataBase64 = toBase64(bytes);
  const contentType = file.type || 'application/octet-stream';
  const isImage = /^image\/(png|jpe?g|gif|webp|bmp)$/.test(contentType);
  const fallback = isImage ? `image.${contentType.split('/')[1]!.replace('jpeg', 'jpg')}` : 'file';
  return {
    ok: true,
    attachment: {
      fileName: displayName(file.name, fallback),
      size: file.size,
      contentType,
      dataBase64,
      preview: isImage ? `data:${contentType};base64,${dataBase64}` : null,
    },
  };
}
