// Uploaded files, following Slack's external upload flow: files.getUploadURLExternal opens an
// upload (an id and a one-off URL), the bytes are POSTed to that URL, and
// files.completeUploadExternal turns it into a file, once. Knows nothing about HTTP.
import { randomUUID } from 'node:crypto';

export interface PendingUpload {
  id: string;
  ticket: string;
  filename: string;
  /** The length the client announced; Slack checks it, the emulator only logs a mismatch. */
  length: number;
  altTxt?: string;
  snippetType?: string;
  bytes?: Buffer;
}

export interface StoredFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  user: string;
  created: number;
  bytes: Buffer;
  altTxt?: string;
  /** Pixel size, for PNG images. */
  width?: number;
  height?: number;
}

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  pdf: 'application/pdf',
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Slack sniffs the content; the emulator trusts a PNG signature, then the extension. */
function fileType(name: string, bytes: Buffer): { filetype: string; mimetype: string } {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return { filetype: 'png', mimetype: 'image/png' };
  const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
  const mimetype = TYPES[ext];
  return mimetype ? { filetype: ext === 'jpeg' ? 'jpg' : ext, mimetype } : { filetype: 'binary', mimetype: 'application/octet-stream' };
}

function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

export type FileStore = ReturnType<typeof createFileStore>;

export function createFileStore(options: { now: () => number; log: (line: string) => void }) {
  let counter = 0;
  let pending = new Map<string, PendingUpload>();
  let byTicket = new Map<string, PendingUpload>();
  let files = new Map<string, StoredFile>();

  return {
    open(input: { filename: string; length: number; altTxt?: string; snippetType?: string }): PendingUpload {
      counter += 1;
      const upload: PendingUpload = { id: `F0LOCAL${String(counter).padStart(4, '0')}`, ticket: randomUUID(), ...input };
      pending.set(upload.id, upload);
      byTicket.set(upload.ticket, upload);
      return upload;
    },
    /** The bytes POSTed to an upload URL; false when the URL is unknown or already used up. */
    receive(ticket: string, bytes: Buffer): boolean {
      const upload = byTicket.get(ticket);
      if (!upload) return false;
      if (bytes.length !== upload.length) {
        options.log(`upload ${upload.id}: ${bytes.length} bytes received, ${upload.length} announced in files.getUploadURLExternal`);
      }
      upload.bytes = bytes;
      return true;
    },
    /** An upload whose bytes have arrived and that is not completed yet. */
    completable(id: string): PendingUpload | undefined {
      const upload = pending.get(id);
      return upload?.bytes ? upload : undefined;
    },
    complete(id: string, title: string | undefined, user: string): StoredFile {
      const upload = pending.get(id);
      if (!upload?.bytes) throw new Error(`upload ${id} is not completable`);
      pending.delete(id);
      byTicket.delete(upload.ticket);
      const file: StoredFile = {
        id,
        name: upload.filename,
        title: title || upload.filename,
        ...fileType(upload.filename, upload.bytes),
        user,
        created: Math.floor(options.now() / 1000),
        bytes: upload.bytes,
        ...(upload.altTxt ? { altTxt: upload.altTxt } : {}),
        ...pngSize(upload.bytes),
      };
      files.set(id, file);
      return file;
    },
    get: (id: string): StoredFile | undefined => files.get(id),
    reset(): void {
      pending = new Map();
      byTicket = new Map();
      files = new Map();
    },
  };
}

/** The file as Slack describes it in messages and API answers (no bytes). */
export function fileObject(file: StoredFile, baseUrl: string): Record<string, unknown> {
  const url = `${baseUrl}/_emulator/files/${file.id}`;
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype: file.filetype,
    user: file.user,
    size: file.bytes.length,
    mode: 'hosted',
    is_external: false,
    is_public: true,
    url_private: url,
    url_private_download: `${url}?download=1`,
    ...(file.altTxt ? { alt_txt: file.altTxt } : {}),
    ...(file.width ? { original_w: file.width, original_h: file.height } : {}),
  };
}
