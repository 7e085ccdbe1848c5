// A contractor's typed client: openapi-fetch over the types openapi-typescript generates from the committed
// spec (`schema.d.ts`, made by .ci/contract). `tsc --strict` fails when the spec stops matching this use.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Person = components["schemas"]["Person"];
type Problem = components["schemas"]["Problem"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8080" });

export async function signIn(username: string, password: string): Promise<string> {
  const { data, error } = await api.POST("/api/v1/auth/token", {
    body: { grant_type: "password", username, password },
    bodySerializer: (b) => new URLSearchParams(b as Record<string, string>).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  if (error) throw new Error("sign-in refused");
  return data.access_token;
}

export async function registerPerson(token: string): Promise<Person | Problem> {
  const { data, error } = await api.POST("/api/v1/persons", {
    headers: { authorization: `Bearer ${token}`, "idempotency-key": crypto.randomUUID() },
    body: { first_name: "Anna", last_name: "Nowak", birth_date: "1980-02-01", sex: "female" },
  });
  return data ?? (error as Problem);
}

export async function pollFeed(token: string, after?: string): Promise<string | null> {
  const { data } = await api.GET("/api/v1/events", {
    headers: { authorization: `Bearer ${token}` },
    params: { query: { after, limit: 100 } },
  });
  for (const event of data?.items ?? []) {
    console.log(event.type, event.link);
  }
  return data?.next_cursor ?? null;
}

export async function registerWebhook(token: string): Promise<string | undefined> {
  const { data } = await api.POST("/api/v1/webhooks", {
    headers: { authorization: `Bearer ${token}` },
    body: { url: "https://partner.example.org/hooks", event_types: ["opinion.issued", "referral.issued"] },
  });
  return data?.secret;
}

export async function withdraw(token: string, id: string): Promise<void> {
  const current = await api.GET("/api/v1/referral-applications/{id}", {
    headers: { authorization: `Bearer ${token}` },
    params: { path: { id } },
  });
  const etag = current.response.headers.get("etag") ?? "";
  await api.POST("/api/v1/referral-applications/{id}/withdraw", {
    headers: { authorization: `Bearer ${token}` },
    params: { path: { id }, header: { "If-Match": etag } },
  });
}
