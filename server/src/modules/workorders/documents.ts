import type { IncomingMessage } from 'node:http';
import Busboy from 'busboy';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Database, Db } from '../../db/database';
import { documents as documentRows } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import { sniffDocumentType, type DocumentStorage } from '../../storage';

/** What customers and staff see of a document: its row without the storage details. */
const shown = {
  id: documentRows.id,
  kind: documentRows.kind,
  filename: documentRows.filename,
  mimeType: documentRows.mimeType,
  sizeBytes: documentRows.sizeBytes,
};

export type StoredDocument = Pick<typeof documentRows.$inferSelect, keyof typeof shown>;

const KIND = /^[a-z_]{2,40}$/;
// Room for the boundaries, the part headers and the `kind` field around the file itself.
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

type Upload = { kind: string; filename: string; bytes: Buffer };

/**
 * Reads one `multipart/form-data` upload (a `kind` field and one `file`), refusing it past `maxBytes`.
 * Every way the stream can fail — no boundary, a body that ends or is cut before its final boundary,
 * a client that goes away, a file over the limit — settles the promise once with an AppError; none
 * may surface as an unhandled stream error, which would take the process down.
 */
export function readUpload(request: IncomingMessage, maxBytes: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    const tooLarge = () => new AppError('DOCUMENT_TOO_LARGE', `Documents may be at most ${Math.round(maxBytes / 1_048_576)} MB`);
    if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) return reject(tooLarge());
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: request.headers, limits: { files: 1, fileSize: maxBytes, fields: 5, fieldSize: 200, parts: 10 } });
    } catch {
      return reject(new AppError('DOCUMENT_INVALID', 'Send the document as multipart/form-data'));
    }
    let settled = false;
    const fail = (error: AppError) => {
      if (settled) return;
      settled = true;
      request.unpipe(parser);
      request.pause();
      reject(error);
    };
    const incomplete = () => fail(new AppError('BODY_INCOMPLETE', 'The upload ended before it was complete'));
    let kind = '';
    let file: { filename: string; bytes: Buffer } | undefined;
    parser.on('field', (name, value) => {
      if (name === 'kind') kind = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge()));
      // A file part cut short errors on its own stream as well as on the parser.
      stream.on('error', incomplete);
      stream.on('end', () => {
        if (name === 'file') file = { filename: info.filename || 'document', bytes: Buffer.concat(chunks) };
      });
    });
    parser.on('error', incomplete);
    request.on('aborted', incomplete);
    request.on('error', incomplete);
    parser.on('close', () => {
      if (settled) return;
      if (!file || file.bytes.length === 0) return fail(new AppError('DOCUMENT_INVALID', 'Attach one file in the "file" field'));
      if (!KIND.test(kind)) return fail(new AppError('DOCUMENT_INVALID', 'Say what the document is in the "kind" field'));
      settled = true;
      resolve({ kind, ...file });
    });
    request.pipe(parser);
  });
}

export type DocumentStatus = 'received' | 'accepted' | 'need_replacing';

/**
 * Where an attached document stands, from the order's history: staff asking for documents after it
 * was attached, while the order still waits for them, means it needs replacing; a stage passed
 * (advanced or completed) after it was attached means it was reviewed and accepted; else received.
 */
export function documentStatus(attachedAt: Date, order: { state: string }, events: Array<{ action: string; at: Date }>): DocumentStatus {
  const after = events.filter((event) => event.at >= attachedAt);
  if (order.state === 'awaiting_documents' && after.some((event) => event.action === 'request_documents')) return 'need_replacing';
  if (after.some((event) => event.action === 'advance' || event.action === 'complete')) return 'accepted';
  return 'received';
}

/** Documents customers attach to requests: checked by content, stored, and shown only to their owner and staff. */
export function createDocuments(deps: { database: Database; storage: DocumentStorage }) {
  const { database, storage } = deps;
  return {
    async store(customerId: number, upload: { kind: string; filename: string; bytes: Buffer }): Promise<StoredDocument> {
      const mimeType = sniffDocumentType(upload.bytes);
      if (!mimeType) throw new AppError('DOCUMENT_TYPE_REFUSED', 'Only JPEG or PNG photos and PDF files are accepted, whatever the file is named');
      const { key, sha256 } = await storage.put(upload.bytes);
      const [row] = await database.db
        .insert(documentRows)
        .values({
          customerId,
          kind: upload.kind,
          filename: upload.filename.slice(0, 120),
          mimeType,
          sizeBytes: upload.bytes.length,
          sha256,
          storageKey: key,
        })
        .returning(shown);
      return row!;
    },

    /** Attaches the customer's own, not yet attached documents to an order; any other id refuses the whole set. */
    async link(db: Db, customerId: number, orderId: number, documentIds: number[], at: Date): Promise<void> {
      if (!documentIds.length) return;
      const ids = [...new Set(documentIds)];
      const linked = await db
        .update(documentRows)
        .set({ workOrderId: orderId, attachedAt: at })
        .where(and(inArray(documentRows.id, ids), eq(documentRows.customerId, customerId), isNull(documentRows.workOrderId)))
        .returning({ id: documentRows.id });
      if (linked.length !== ids.length) throw new AppError('DOCUMENT_INVALID', 'A document is not yours or is already attached to another request');
    },

    /** The bytes of a document on an order, for its customer (`customerId`) or for staff (undefined). */
    async read(orderId: number, documentId: number, customerId?: number): Promise<{ document: StoredDocument; bytes: Buffer }> {
      const [row] = await database.db
        .select({ ...shown, storageKey: documentRows.storageKey })
        .from(documentRows)
        .where(
          and(
            eq(documentRows.id, documentId),
            eq(documentRows.workOrderId, orderId),
            customerId !== undefined ? eq(documentRows.customerId, customerId) : undefined,
          ),
        );
      if (!row) throw notFound('Document');
      const { storageKey: key, ...document } = row;
      return { document, bytes: await storage.get(key) };
    },

    async listForOrder(orderId: number): Promise<Array<StoredDocument & { attachedAt: Date }>> {
      const rows = await database.db
        .select({ ...shown, attachedAt: documentRows.attachedAt })
        .from(documentRows)
        .where(eq(documentRows.workOrderId, orderId))
        .orderBy(asc(documentRows.id));
      // A linked document always has its attach time: both are set by `link` in one statement.
      return rows.map((row) => ({ ...row, attachedAt: row.attachedAt! }));
    },
  };
}

export type Documents = ReturnType<typeof createDocuments>;
