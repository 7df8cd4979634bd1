import { describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES, readAttachment, toBase64 } from './attachment';

describe('attachments', () => {
  it('encodes bytes as base64, also past the chunk size', () => {
    expect(toBase64(new Uint8Array([0, 1, 2, 250]))).toBe('AAEC+g==');
    const big = new Uint8Array(100_000).map((_, i) => i % 256);
    expect(Buffer.from(toBase64(big), 'base64').equals(Buffer.from(big))).toBe(true);
  });

  it('reads an image with a preview and a safe name', async () => {
    const file = new File([new Uint8Array([137, 80, 78, 71])], '../../截图.png', { type: 'image/png' });
    const result = await readAttachment(file);
    expect(result).toEqual({
      ok: true,
      attachment: {
        fileName: '截图.png',
        size: 4,
        contentType: 'image/png',
        dataBase64: 'iVBORw==',
        preview: 'data:image/png;base64,iVBORw==',
      },
    });
  });

  it('refuses empty and oversized files before reading them', async () => {
    expect(await readAttachment(new File([], 'a.txt'))).toEqual({ ok: false, reason: 'empty' });
    const huge = { size: MAX_ATTACHMENT_BYTES + 1, name: 'x.zip', type: '', arrayBuffer: () => Promise.reject(new Error('read')) } as unknown as File;
    expect(await readAttachment(huge)).toEqual({ ok: false, reason: 'tooLarge' });
  });

  it('names a pasted image without a name by its type, and gives no preview for other files', async () => {
    const pasted = await readAttachment(new File([new Uint8Array([1])], '', { type: 'image/jpeg' }));
    expect(pasted.ok && pasted.attachment.fileName).toBe('image.jpg');
    const doc = await readAttachment(new File([new Uint8Array([1])], 'a.pdf', { type: 'application/pdf' }));
    expect(doc.ok && doc.attachment.preview).toBeNull();
  });
});
