// Kubernetes `Status` bodies exactly as k8s.io/apimachinery/pkg/api/errors builds them.
import { formatGoValue } from './go-format.js';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A refusal that the HTTP layer turns into a Status response. */
export class KubeError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
    this.name = 'KubeError';
  }
  get code(): number {
    return this.status.code;
  }
}

/** Group + resource (plural), e.g. {group: 'apps', resource: 'deployments'}. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): KubeError {
  // Field order as the apiserver serializes metav1.Status.
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } as KubeStatus;
  return new KubeError(status);
}

function grDetails(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name };
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export const errors = {
  notFound: (gr: GroupResource, name: string) =>
    failure(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, grDetails(gr, name)),
  alreadyExists: (gr: GroupResource, name: string) =>
    failure(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, grDetails(gr, name)),
  conflict: (gr: GroupResource, name: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      grDetails(gr, name),
    ),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  resourceNotFound: () => failure(404, 'NotFound', 'the server could not find the requested resource', {}),
  methodNotAllowed: (verb: string, gr: GroupResource) =>
    failure(
      405,
      'MethodNotAllowed',
      `${verb} is not supported on resources of kind "${qualifiedResource(gr)}"`,
      { ...(gr.group ? { group: gr.group } : {}), kind: gr.resource },
    ),
  unsupportedMediaType: (contentType: string, strategicAccepted: boolean) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${strategicAccepted ? ', application/strategic-merge-patch+json' : ''}`,
      { causes: [{ reason: 'UnexpectedServerResponse', message: contentType }] },
    ),
  /** What apiserver returns when a JSON patch cannot be applied (NewGenericServerResponse 422). */
  patchRejected: (message: string) =>
    failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      causes: [{ reason: 'UnexpectedServerResponse', message }],
    }),
  tooManyRequests: (retryAfterSeconds: number) =>
    failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }),
  internal: (message: string) =>
    failure(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ reason: '', message }],
    }),
  serviceUnavailable: (message = 'the server is currently unable to handle the request') =>
    failure(503, 'ServiceUnavailable', message),
};

/** One entry of a field.ErrorList. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong';
  field: string;
  /** ErrorBody() in apimachinery: "Required value", `Invalid value: "x": detail`, ... */
  body: string;
}

export const fieldErrors = {
  required: (field: string, detail = ''): FieldError => ({
    type: 'FieldValueRequired',
    field,
    body: detail ? `Required value: ${detail}` : 'Required value',
  }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    body: `Invalid value: ${formatGoValue(value)}: ${detail}`,
  }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueTypeInvalid',
    field,
    body: `Invalid value: ${formatGoValue(value)}: ${detail}`,
  }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    body: `Unsupported value: ${formatGoValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  }),
  duplicate: (field: string, value: unknown): FieldError => ({
    type: 'FieldValueDuplicate',
    field,
    body: `Duplicate value: ${formatGoValue(value)}`,
  }),
  tooLong: (field: string, value: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    body: `Too long: may not be more than ${max} bytes`,
  }),
};

/** errors.NewInvalid: `Kind.group "name" is invalid: <aggregate>` with one cause per field error. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): KubeError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const texts = errs.map((e) => `${e.field}: ${e.body}`);
  const aggregate = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const details: StatusDetails = { name };
  if (group) details.group = group;
  details.kind = kind;
  details.causes = errs.map((e) => ({ reason: e.type, message: e.body, field: e.field }));
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${aggregate}`, details);
}

/** What a DELETE answers for resources that do not return the deleted object (finalizeDelete). */
export function successStatus(gr: GroupResource, name: string, uid: string): Omit<KubeStatus, 'code'> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...grDetails(gr, name), uid } };
}
