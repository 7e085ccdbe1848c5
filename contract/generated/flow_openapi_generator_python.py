"""A contractor's first session with the `python` client openapi-generator generates from openapi/openapi.json.

Run by .ci/contract against the demo server: sign in, register a person, file a referral application for them,
read it back with its ETag, change the person with If-Match, and page through a list, all through the generated
API classes and pydantic models.

Usage: python flow_openapi_generator_python.py BASE_URL (with the generated `reintegra_api` package on the path)
"""

import datetime
import sys
import uuid

import reintegra_api
from reintegra_api.exceptions import ApiException
from reintegra_api.models import (
    Consent,
    DocumentCaseType,
    NewDocumentMetadata,
    ConsentGivenBy,
    EligibilityCategory,
    InstitutionKind,
    NewPerson,
    NewReferralApplication,
    PersonPatch,
    Sex,
)

BASE = sys.argv[1]
TODAY = datetime.date.today()

# Sign in (OAuth 2.0 password grant, a form body): no token needed for this one call.
with reintegra_api.ApiClient(reintegra_api.Configuration(host=BASE)) as anonymous:
    token = reintegra_api.AuthApi(anonymous).issue_token(
        grant_type="password", username="ngo-staff", password="reintegra-demo"
    )
assert token.token_type.lower() == "bearer", token

with reintegra_api.ApiClient(reintegra_api.Configuration(host=BASE, access_token=token.access_token)) as client:
    auth = reintegra_api.AuthApi(client)
    persons = reintegra_api.PersonsApi(client)
    institutions = reintegra_api.InstitutionsApi(client)
    applications = reintegra_api.ReferralApplicationsApi(client)

    me = auth.get_me()
    assert me.institution_kind == InstitutionKind.NGO, me

    # Register a person, with an idempotency key so that a retry of a lost answer files once.
    surname = "Generator-" + uuid.uuid4().hex[:8]
    person = persons.create_person(
        NewPerson(first_name="Anna", last_name=surname, birth_date=datetime.date(1968, 3, 2), sex=Sex.FEMALE),
        idempotency_key=f'"{uuid.uuid4()}"',
    )
    assert person.last_name == surname and person.version == 1, person

    # File a referral application to the first CIS.
    cis = institutions.list_institutions(kind=InstitutionKind.CIS, limit=1).items[0]
    application = applications.create_referral_application(
        NewReferralApplication(
            person_id=person.id,
            target_cis_id=cis.id,
            eligibility_categories=[EligibilityCategory.LONG_TERM_UNEMPLOYED],
            justification="Chce wrócić do pracy; klient wygenerowany z kontraktu.",
            received_on=TODAY,
            consent=Consent(given=True, given_on=TODAY, given_by=ConsentGivenBy.PERSON),
        )
    )
    assert application.status == "submitted", application

    # Read both back with their ETags; an update must carry the current one in If-Match.
    read = applications.get_referral_application_with_http_info(application.id)
    assert read.status_code == 200 and read.data.id == application.id
    etag = {k.lower(): v for k, v in read.headers.items()}["etag"]
    assert etag == f'"{application.version}"', read.headers
    read = persons.get_person_with_http_info(person.id)
    etag = {k.lower(): v for k, v in read.headers.items()}["etag"]
    try:
        persons.update_person(person.id, '"99"', PersonPatch(phone="+48 600 100 200"))
        raise AssertionError("a stale If-Match was accepted")
    except ApiException as stale:
        assert stale.status == 412 and "version_mismatch" in stale.body, stale
    updated = persons.update_person(person.id, etag, PersonPatch(phone="+48 600 100 200"))
    assert updated.version == 2 and updated.phone == "+48 600 100 200", updated

    # Upload the signed consent to the person's file (multipart: metadata as JSON, then the file).
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n%%EOF\n"
    document = reintegra_api.DocumentsApi(client).file_document(
        NewDocumentMetadata(case_type=DocumentCaseType.PERSON, case_id=person.id, kind="consent", title="Zgoda"),
        ("zgoda.pdf", pdf),
    )
    assert document.content_type == "application/pdf" and document.size == len(pdf), document

    # Page through every institution one at a time.
    seen, cursor, pages = [], None, 0
    for _ in range(1000):
        page = institutions.list_institutions(limit=1, cursor=cursor)
        pages += 1
        seen.extend(i.id for i in page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert pages > 1 and cis.id in seen and len(seen) == len(set(seen)), seen
    found = persons.list_persons(last_name=surname)
    assert [p.id for p in found.items] == [person.id], found

print(f"openapi-generator python: flow passed ({pages} pages of institutions)")
