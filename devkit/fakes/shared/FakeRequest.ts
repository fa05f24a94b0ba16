/** A request as the fakes see it: the whole body already read as text. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  bodyText: string;
  /** Path parameters filled in by the router (`:channelId` → `channelId`). */
  params: Record<string, string>;
}

export function readHeader(request: FakeRequest, name: string): string | undefined {
  return request.headers[name.toLowerCase()];
}

export function readParam(request: FakeRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined) throw new Error(`route has no parameter ${name}`);
  return value;
}
