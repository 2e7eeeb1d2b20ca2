import { platform } from '../../platform';
import { api, ApiError } from '../../services';

export interface UploadedDocument {
  id: number;
  kind: string;
  filename: string;
  sizeBytes: number;
}

/** The server's limit, checked here too so a large file is refused before it is sent. */
const MAX_BYTES = 5 * 1_048_576;

/**
 * Lets the customer pick one photo or PDF and uploads it as a document of `kind`. Undefined when
 * they closed the chooser. What the file is gets decided by the server, from its content.
 */
export async function pickAndUpload(kind: string, accept: 'image' | 'image-or-pdf' = 'image-or-pdf'): Promise<UploadedDocument | undefined> {
  const [file] = await platform.pickFiles({ count: 1, accept });
  if (!file) return undefined;
  if (file.size > MAX_BYTES) throw new ApiError('DOCUMENT_TOO_LARGE', 'The file is larger than 5 MB', 413);
  const { document } = await api.upload('uploadDocument', { file, fields: { kind } });
  return document;
}

export const sizeText = (bytes: number) => (bytes < 1_048_576 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1_048_576).toFixed(1)} MB`);
