// The file bytes of an upload POST. Slack's upload URL takes raw bytes or a multipart form
// (curl -F filename=@chart.png; WebClient sends one part named "body"); just enough of
// RFC 7578 to find that part.

/** The first part with a filename (else the first part), or undefined when the form is malformed. */
export function multipartFile(contentType: string, body: Buffer): Buffer | undefined {
  const boundary = contentType.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  const token = boundary?.[1] ?? boundary?.[2];
  if (!token) return undefined;
  const delimiter = Buffer.from(`--${token}`);
  const parts: { headers: string; content: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return undefined;
    const part = body.subarray(start + 2, next - 2); // skip the CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return undefined;
    parts.push({ headers: part.subarray(0, split).toString('utf8'), content: part.subarray(split + 4) });
    at = next;
  }
  const withFilename = parts.find((p) => /content-disposition:[^\r\n]*filename=/i.test(p.headers));
  return (withFilename ?? parts[0])?.content;
}
