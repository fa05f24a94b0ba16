import type { FakeRequest } from "./FakeRequest";
import type { FakeResponse } from "./FakeResponse";

export type RouteHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface Route {
  method: string;
  /** Path with `:name` segments, e.g. `/api/v10/channels/:channelId/messages`. */
  pattern: string;
  handle: RouteHandler;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export function findRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  const pathSegments = path.split("/");
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchSegments(route.pattern.split("/"), pathSegments);
    if (params !== undefined) return { route, params };
  }
  return undefined;
}

function matchSegments(patternSegments: string[], pathSegments: string[]): Record<string, string> | undefined {
  if (patternSegments.length !== pathSegments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, patternSegment] of patternSegments.entries()) {
    const pathSegment = pathSegments[index] ?? "";
    if (patternSegment.startsWith(":")) {
      if (pathSegment === "") return undefined;
      params[patternSegment.slice(1)] = decodeURIComponent(pathSegment);
    } else if (patternSegment !== pathSegment) {
      return undefined;
    }
  }
  return params;
}
