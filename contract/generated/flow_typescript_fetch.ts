// A contractor's first session with the `typescript-fetch` client openapi-generator generates from
// openapi/openapi.json. .ci/contract compiles it with the generated sources under `tsc --strict` and runs it with
// node against the demo server: sign in, register a person, file a referral application for them, read it back
// with its ETag, change the person with If-Match, and page through a list.
//
// Usage: node flow_typescript_fetch.js BASE_URL (the generated client compiled beside it as ./tsf)

import {
  AuthApi,
  Configuration,
  DocumentCaseType,
  DocumentsApi,
  ConsentGivenBy,
  EligibilityCategory,
  InstitutionKind,
  InstitutionsApi,
  PersonsApi,
  ReferralApplicationsApi,
  ResponseError,
  Sex,
} from "./tsf";

// Node's globals without @types/node: the flow needs only these two.
declare const process: { argv: string[]; exit(code: number): never };

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`flow failed: ${message}`);
}

async function main(base: string): Promise<number> {
  // Sign in (OAuth 2.0 password grant, a form body).
  const token = await new AuthApi(new Configuration({ basePath: base })).issueToken({
    grantType: "password",
    username: "ngo-staff",
    password: "reintegra-demo",
  });
  const config = new Configuration({ basePath: base, accessToken: token.accessToken });
  const me = await new AuthApi(config).getMe();
  check(me.institutionKind === InstitutionKind.Ngo, `signed in as ${JSON.stringify(me)}`);

  const persons = new PersonsApi(config);
  const institutions = new InstitutionsApi(config);
  const applications = new ReferralApplicationsApi(config);

  // Register a person, with an idempotency key so that a retry of a lost answer files once.
  const surname = `Fetch-${Math.random().toString(36).slice(2, 10)}`;
  const person = await persons.createPerson({
    newPerson: { firstName: "Ewa", lastName: surname, birthDate: new Date("1975-07-21"), sex: Sex.Female },
    idempotencyKey: `"${crypto.randomUUID()}"`,
  });
  check(person.lastName === surname && person.version === 1, "the person was registered");

  // File a referral application to the first CIS.
  const cis = (await institutions.listInstitutions({ kind: InstitutionKind.Cis, limit: 1 })).items[0];
  check(cis !== undefined, "a CIS is listed");
  const today = new Date();
  const application = await applications.createReferralApplication({
    newReferralApplication: {
      personId: person.id,
      targetCisId: cis.id,
      eligibilityCategories: [EligibilityCategory.LongTermUnemployed],
      justification: "Chce wrócić do pracy; klient wygenerowany z kontraktu.",
      receivedOn: today,
      consent: { given: true, givenOn: today, givenBy: ConsentGivenBy.Person },
    },
  });
  check(application.status === "submitted", `the application is ${application.status}`);

  // Read both back with their ETags; an update must carry the current one in If-Match.
  const read = await applications.getReferralApplicationRaw({ id: application.id });
  check((await read.value()).id === application.id, "the application reads back");
  check(read.raw.headers.get("ETag") === `"${application.version}"`, "the ETag is the version");
  const etag = (await persons.getPersonRaw({ id: person.id })).raw.headers.get("ETag");
  check(etag !== null, "the person has an ETag");
  try {
    await persons.updatePerson({ id: person.id, ifMatch: '"99"', personPatch: { phone: "+48 600 100 200" } });
    check(false, "a stale If-Match was accepted");
  } catch (e) {
    check(e instanceof ResponseError && e.response.status === 412, `a stale If-Match: ${String(e)}`);
    const problem = (await e.response.json()) as { code: string };
    check(problem.code === "version_mismatch", `the problem is ${problem.code}`);
  }
  const updated = await persons.updatePerson({ id: person.id, ifMatch: etag, personPatch: { phone: "+48 600 100 200" } });
  check(updated.version === 2 && updated.phone === "+48 600 100 200", "the update applied");

  // Upload the signed consent to the person's file (multipart: metadata as JSON, then the file).
  const pdf = new TextEncoder().encode("%PDF-1.4\n%\u00e2\n1 0 obj\n<< >>\nendobj\n%%EOF\n");
  const document = await new DocumentsApi(config).fileDocument({
    metadata: { caseType: DocumentCaseType.Person, caseId: person.id, kind: "consent", title: "Zgoda" },
    file: new Blob([pdf], { type: "application/pdf" }),
  });
  check(document.contentType === "application/pdf" && document.size === pdf.length, "the document was filed");

  // Page through every institution one at a time.
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (let i = 0; i < 1000; i++) {
    const page = await institutions.listInstitutions({ limit: 1, cursor });
    pages++;
    seen.push(...page.items.map((inst) => inst.id));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  check(pages > 1 && seen.includes(cis.id) && new Set(seen).size === seen.length, `paged ${seen.join(",")}`);
  const found = await persons.listPersons({ lastName: surname });
  check(found.items.length === 1 && found.items[0]?.id === person.id, "the search finds the person");
  return pages;
}

main(process.argv[2] ?? "http://127.0.0.1:8080").then(
  (pages) => console.log(`openapi-generator typescript-fetch: flow passed (${pages} pages of institutions)`),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
