"""A contractor's first session with the client openapi-python-client generates from openapi/openapi.json.

Run by .ci/contract against the demo server: sign in, register a person, file a referral application for them,
read it back with its ETag, change the person with If-Match, and page through a list. Every call goes through
the generated functions and models; a failure is an AssertionError naming the step.

Usage: python flow_openapi_python_client.py BASE_URL (with the generated `reintegra_client` package on the path)
"""

import datetime
import io
import sys
import uuid

from reintegra_client import AuthenticatedClient, Client
from reintegra_client.api.auth import get_me, issue_token
from reintegra_client.api.documents import file_document, get_document_content
from reintegra_client.api.institutions import list_institutions
from reintegra_client.api.persons import create_person, get_person, list_persons, update_person
from reintegra_client.api.referral_applications import (
    create_referral_application,
    get_referral_application,
)
from reintegra_client.models import (
    Consent,
    DocumentCaseType,
    DocumentUpload,
    NewDocumentMetadata,
    ConsentGivenBy,
    EligibilityCategory,
    InstitutionKind,
    NewPerson,
    NewReferralApplication,
    PersonPatch,
    Sex,
    TokenRequest,
    TokenResponse,
)
from reintegra_client.types import UNSET, File

BASE = sys.argv[1]
TODAY = datetime.date.today()


def expect(response, status, step):
    assert response.status_code == status, f"{step}: {response.status_code} {response.content!r}"
    return response.parsed


# Sign in (OAuth 2.0 password grant, a form body).
token = expect(
    issue_token.sync_detailed(
        client=Client(base_url=BASE),
        body=TokenRequest(grant_type="password", username="ngo-staff", password="reintegra-demo"),
    ),
    200,
    "sign in",
)
assert isinstance(token, TokenResponse), token
api = AuthenticatedClient(base_url=BASE, token=token.access_token)
me = expect(get_me.sync_detailed(client=api), 200, "who am I")
assert me.role.value == "staff" and me.institution_kind == InstitutionKind.NGO, me

# Register a person; an idempotency key makes the retry of a lost answer safe.
surname = "Generowany-" + uuid.uuid4().hex[:8]
person = expect(
    create_person.sync_detailed(
        client=api,
        body=NewPerson(first_name="Jan", last_name=surname, birth_date=datetime.date(1970, 5, 14), sex=Sex.MALE),
        idempotency_key=f'"{uuid.uuid4()}"',
    ),
    201,
    "register a person",
)
assert person.last_name == surname and person.version == 1, person

# File a referral application to a CIS found by paging the institutions.
cis = expect(
    list_institutions.sync_detailed(client=api, kind=InstitutionKind.CIS, limit=1), 200, "list CIS"
).items[0]
application = expect(
    create_referral_application.sync_detailed(
        client=api,
        body=NewReferralApplication(
            person_id=person.id,
            target_cis_id=cis.id,
            eligibility_categories=[EligibilityCategory.LONG_TERM_UNEMPLOYED],
            justification="Chce wrócić do pracy; klient wygenerowany z kontraktu.",
            received_on=TODAY,
            consent=Consent(given=True, given_on=TODAY, given_by=ConsentGivenBy.PERSON),
        ),
    ),
    201,
    "file an application",
)
assert application.status.value == "submitted", application

# Read both back: the ETag is the version, and an update must carry it in If-Match.
read = get_referral_application.sync_detailed(application.id, client=api)
assert expect(read, 200, "read the application").id == application.id
assert read.headers["etag"] == f'"{application.version}"', read.headers
read = get_person.sync_detailed(person.id, client=api)
etag = read.headers["etag"]
stale = update_person.sync_detailed(person.id, client=api, body=PersonPatch(phone="+48 600 100 200"), if_match='"99"')
assert stale.status_code == 412 and stale.parsed.code == "version_mismatch", stale.content
updated = expect(
    update_person.sync_detailed(person.id, client=api, body=PersonPatch(phone="+48 600 100 200"), if_match=etag),
    200,
    "update with If-Match",
)
assert updated.version == 2 and updated.phone == "+48 600 100 200", updated

# Upload the signed consent to the person's file (multipart: metadata as JSON, then the file) and read it back.
pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n%%EOF\n"
document = expect(
    file_document.sync_detailed(
        client=api,
        body=DocumentUpload(
            metadata=NewDocumentMetadata(
                case_type=DocumentCaseType.PERSON, case_id=person.id, kind="consent", title="Zgoda"
            ),
            file=File(payload=io.BytesIO(pdf), file_name="zgoda.pdf", mime_type="application/pdf"),
        ),
    ),
    201,
    "upload a document",
)
assert document.content_type == "application/pdf" and document.size == len(pdf), document
content = get_document_content.sync_detailed(document.id, client=api)
assert content.status_code == 200 and content.content == pdf, content.status_code

# Page through every institution one at a time: each page's cursor leads to the next, none repeats.
seen, cursor, pages = [], UNSET, 0
for _ in range(1000):
    page = expect(list_institutions.sync_detailed(client=api, limit=1, cursor=cursor), 200, "page the institutions")
    pages += 1
    assert len(page.items) <= 1
    seen.extend(i.id for i in page.items)
    if not page.next_cursor:
        break
    cursor = page.next_cursor
assert pages > 1 and cis.id in seen and len(seen) == len(set(seen)), seen
persons = expect(list_persons.sync_detailed(client=api, last_name=surname), 200, "search the persons")
assert [p.id for p in persons.items] == [person.id], persons

print(f"openapi-python-client: flow passed ({pages} pages of institutions)")
