#!/usr/bin/env python3
"""Builds postman/reintegra.postman_collection.json (Collection v2.1) from the request list below.

The collection is committed; CI runs it with newman against a fresh `serve --demo` and checks that the committed
file is what this script produces. Edit here, then run `python3 postman/build_collection.py`.
"""

import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent

DEMO_USERS = [
    "mopr-admin", "mopr-director", "mopr-worker", "mopr-staff",
    "cis-director", "cis-staff", "pcpr-staff", "ngo-staff", "platform-admin",
]


def var(name):
    return "{{" + name + "}}"


def token_var(user):
    return "token_" + user.replace("-", "_")


def status_test(code):
    return f'pm.test("status is {code}", function () {{ pm.response.to.have.status({code}); }});'


def problem_test(code, problem_code):
    return "\n".join([
        status_test(code),
        'pm.test("problem+json with code ' + problem_code + '", function () {',
        '    pm.expect(pm.response.headers.get("Content-Type")).to.include("application/problem+json");',
        f'    pm.expect(pm.response.json().code).to.eql("{problem_code}");',
        "});",
    ])


def request(name, method, path, description, user=None, body=None, headers=None, tests=(), prerequest=None,
            form=None, multipart=None):
    header_list = [{"key": k, "value": v} for k, v in (headers or {}).items()]
    req = {
        "method": method,
        "header": header_list,
        "url": {"raw": var("base_url") + path, "host": [var("base_url")], "path": [p for p in path.split("?")[0].strip("/").split("/")]},
        "description": description,
    }
    if "?" in path:
        query = path.split("?", 1)[1]
        req["url"]["query"] = [
            {"key": kv.split("=", 1)[0], "value": kv.split("=", 1)[1] if "=" in kv else ""}
            for kv in query.split("&")
        ]
    if user:
        req["auth"] = {"type": "bearer", "bearer": [{"key": "token", "value": var(token_var(user)), "type": "string"}]}
    else:
        req["auth"] = {"type": "noauth"}
    if body is not None:
        header_list.append({"key": "Content-Type", "value": "application/json"})
        req["body"] = {"mode": "raw", "raw": json.dumps(body, indent=2, ensure_ascii=False),
                       "options": {"raw": {"language": "json"}}}
    if form is not None:
        req["body"] = {"mode": "urlencoded", "urlencoded": [{"key": k, "value": v} for k, v in form]}
    if multipart is not None:
        # `metadata` as JSON text, then `file` from postman/files (newman reads it relative to the repository root).
        metadata, src = multipart
        req["body"] = {"mode": "formdata", "formdata": [
            {"key": "metadata", "value": json.dumps(metadata, ensure_ascii=False), "type": "text", "contentType": "application/json"},
            {"key": "file", "type": "file", "src": src},
        ]}
    events = []
    if prerequest:
        events.append({"listen": "prerequest", "script": {"type": "text/javascript", "exec": prerequest.split("\n")}})
    if tests:
        events.append({"listen": "test", "script": {"type": "text/javascript", "exec": "\n".join(tests).split("\n")}})
    item = {"name": name, "request": req}
    if events:
        item["event"] = events
    return item


def folder(name, description, items):
    return {"name": name, "description": description, "item": items}


def sign_in(user):
    return request(
        f"Sign in as {user}", "POST", "/api/v1/auth/token",
        f"OAuth2 password grant for the demo user `{user}`; stores the access token in `{token_var(user)}`.",
        form=[("grant_type", "password"), ("username", user), ("password", var("demo_password"))],
        tests=[
            status_test(200),
            'pm.test("a bearer token", function () { pm.expect(pm.response.json().token_type).to.eql("Bearer"); });',
            f'pm.collectionVariables.set("{token_var(user)}", pm.response.json().access_token);',
        ],
    )


PESEL_SCRIPT = """// A fresh valid PESEL every run, so the collection can run repeatedly against the same server.
function pesel() {
    var y = 50 + Math.floor(Math.random() * 45), m = 1 + Math.floor(Math.random() * 12), d = 1 + Math.floor(Math.random() * 28);
    var serial = Math.floor(Math.random() * 1000), sex = Math.floor(Math.random() * 10);
    var s = ("0" + y).slice(-2) + ("0" + m).slice(-2) + ("0" + d).slice(-2) + ("00" + serial).slice(-3) + sex;
    var w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3], sum = 0;
    for (var i = 0; i < 10; i++) { sum += parseInt(s[i], 10) * w[i]; }
    return s + ((10 - sum % 10) % 10);
}
pm.collectionVariables.set("pesel", pesel());
pm.collectionVariables.set("today", new Date(Date.now() + 3600 * 1000).toISOString().slice(0, 10));"""


def setup_folder():
    items = [
        request("Readiness", "GET", "/health/ready", "The database answers.", tests=[status_test(200)]),
    ]
    items += [sign_in(u) for u in DEMO_USERS]
    items.append(request(
        "Wrong password is invalid_grant", "POST", "/api/v1/auth/token",
        "A refusal a tester must see: wrong credentials answer RFC 6749 `invalid_grant`.",
        form=[("grant_type", "password"), ("username", "mopr-staff"), ("password", "not-the-password")],
        tests=[status_test(400), 'pm.test("invalid_grant", function () { pm.expect(pm.response.json().error).to.eql("invalid_grant"); });'],
    ))
    items.append(request(
        "Who am I", "GET", "/api/v1/me", "The identity the token carries.", user="mopr-worker",
        tests=[status_test(200), 'pm.test("social worker of a MOPR", function () { var b = pm.response.json(); pm.expect(b.role).to.eql("social_worker"); pm.expect(b.institution_kind).to.eql("MOPR"); });'],
    ))
    for kind in ["MOPR", "CIS", "PCPR", "NGO"]:
        items.append(request(
            f"Find the demo {kind}", "GET", f"/api/v1/institutions?kind={kind}",
            f"Stores the id of the demo {kind} in `{kind.lower()}_id`.", user="ngo-staff",
            tests=[status_test(200), f'pm.collectionVariables.set("{kind.lower()}_id", pm.response.json().items[0].id);'],
        ))
    items.append(request(
        "No token is 401", "GET", "/api/v1/me", "Without a bearer token every resource answers 401 with a Bearer challenge.",
        tests=[problem_test(401, "unauthorized"), 'pm.test("Bearer challenge", function () { pm.expect(pm.response.headers.get("WWW-Authenticate")).to.include("Bearer"); });'],
    ))
    return folder("0. Sign in", "Tokens for every demo role, and the ids of the demo institutions.", items)


def person_body(first, last):
    return {
        "first_name": first, "last_name": last, "pesel": var("pesel"),
        "residence_address": {"street": "ul. Szeroka", "building": "12", "flat": "4", "postal_code": "87-100", "city": "Toruń"},
        "phone": "+48 600 100 200",
    }


def persons_folder():
    items = [
        request("NGO registers a person", "POST", "/api/v1/persons",
                "An NGO registers the person it will apply for. Birth date and sex come from the PESEL.",
                user="ngo-staff", body=person_body("Jan", "Żółkiewski"), prerequest=PESEL_SCRIPT,
                tests=[status_test(201),
                       'var p = pm.response.json();',
                       'pm.test("birth date and sex from the PESEL", function () { pm.expect(p.birth_date).to.match(/^19\\d\\d-/); pm.expect(p.sex).to.be.oneOf(["female", "male"]); });',
                       'pm.test("ETag is the version", function () { pm.expect(pm.response.headers.get("ETag")).to.eql("\\"1\\""); });',
                       'pm.collectionVariables.set("person_id", p.id);']),
        request("Search by last name without diacritics", "GET", "/api/v1/persons?last_name=zolkiew",
                "Case- and diacritics-insensitive prefix search: `zolkiew` finds `Żółkiewski`.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("found", function () { pm.expect(pm.response.json().items.map(function (p) { return p.id; })).to.include(pm.collectionVariables.get("person_id")); });']),
        request("Invalid PESEL is 422", "POST", "/api/v1/persons", "A PESEL with a wrong check digit.",
                user="mopr-staff", body={"first_name": "Anna", "last_name": "Nowak", "pesel": "44051401459"},
                tests=[problem_test(422, "validation_failed"), 'pm.test("names the check digit", function () { pm.expect(pm.response.json().errors[0].code).to.eql("pesel_checksum"); });']),
        request("Duplicate PESEL is 409", "POST", "/api/v1/persons", "The same PESEL again; MOPR may see the original, so the problem links it.",
                user="mopr-staff", body=person_body("Janek", "Żółkiewski"),
                tests=[problem_test(409, "duplicate_pesel"), 'pm.test("links the original", function () { pm.expect(pm.response.json().existing).to.include(pm.collectionVariables.get("person_id")); });']),
        request("PCPR cannot see the NGO's person (404)", "GET", "/api/v1/persons/" + var("person_id"),
                "Not visible is the same as absent.", user="pcpr-staff", tests=[problem_test(404, "not_found")]),
        request("Update without If-Match is 428", "PATCH", "/api/v1/persons/" + var("person_id"),
                "Every update needs the ETag it was read with.", user="ngo-staff", body={"phone": "+48 600 999 888"},
                tests=[problem_test(428, "if_match_required")]),
        request("Stale If-Match is 412", "PATCH", "/api/v1/persons/" + var("person_id"), "Someone changed it first.",
                user="ngo-staff", body={"phone": "+48 600 999 888"}, headers={"If-Match": '"7"'},
                tests=[problem_test(412, "version_mismatch")]),
        request("Update the phone", "PATCH", "/api/v1/persons/" + var("person_id"), "A merge patch with the current ETag.",
                user="ngo-staff", body={"phone": "+48 600 999 888"}, headers={"If-Match": '"1"'},
                tests=[status_test(200), 'pm.test("version 2", function () { pm.expect(pm.response.json().version).to.eql(2); });']),
        request("History of changes", "GET", "/api/v1/persons/" + var("person_id") + "/changes", "Who changed which fields when.",
                user="mopr-staff", tests=[status_test(200), 'pm.test("two entries", function () { pm.expect(pm.response.json().items.length).to.eql(2); });']),
        request("Register with an Idempotency-Key", "POST", "/api/v1/persons",
                "A mobile app sends a fresh key with each logical request and the same key with every retry of it.",
                user="mopr-staff", headers={"Idempotency-Key": var("idem_key")},
                body={"first_name": "Ewa", "last_name": "Ponowna", "birth_date": "1960-02-03", "sex": "female"},
                prerequest="pm.collectionVariables.set('idem_key', '\"' + pm.variables.replaceIn('{{$randomUUID}}') + '\"');",
                tests=[status_test(201), 'pm.collectionVariables.set("idem_person_id", pm.response.json().id);']),
        request("A retry with the same key is replayed, not filed again", "POST", "/api/v1/persons",
                "The network failed before the answer arrived; the retry gets the first answer (`Idempotent-Replayed: true`).",
                user="mopr-staff", headers={"Idempotency-Key": var("idem_key")},
                body={"first_name": "Ewa", "last_name": "Ponowna", "birth_date": "1960-02-03", "sex": "female"},
                tests=[status_test(201), 'pm.test("replayed, same record", function () { pm.expect(pm.response.headers.get("Idempotent-Replayed")).to.eql("true"); pm.expect(pm.response.json().id).to.eql(pm.collectionVariables.get("idem_person_id")); });']),
        request("The same key for another request is 422", "POST", "/api/v1/persons",
                "A key names one request; a new request needs a new key.", user="mopr-staff",
                headers={"Idempotency-Key": var("idem_key")},
                body={"first_name": "Inna", "last_name": "Osoba", "birth_date": "1961-02-03", "sex": "female"},
                tests=[problem_test(422, "idempotency_key_reused")]),
    ]
    return folder("1. Person registry", "Register, search, correct; the refusals a tester must see.", items)


def referral_folder():
    app_body = {
        "person_id": var("person_id"), "target_cis_id": var("cis_id"),
        "eligibility_categories": ["homeless_on_programme", "long_term_unemployed"],
        "justification": "Realizuje program wychodzenia z bezdomności, chce wrócić do pracy.",
        "received_on": var("today"),
        "consent": {"given": True, "given_on": var("today"), "given_by": "person"},
    }
    opinion = {"application_id": var("application_id"), "family_interview_on": var("today"),
               "recommendation": "positive", "justification": "Wywiad środowiskowy potwierdza motywację."}
    items = [
        request("NGO applies for a referral", "POST", "/api/v1/referral-applications",
                "The NGO files in its own name; the opinion is due 14 days later.", user="ngo-staff", body=app_body,
                tests=[status_test(201), 'var a = pm.response.json();',
                       'pm.test("submitted, opinion due", function () { pm.expect(a.status).to.eql("submitted"); pm.expect(a.opinion_due_on).to.match(/^\\d{4}-\\d\\d-\\d\\d$/); pm.expect(a.opinion_overdue).to.eql(false); });',
                       'pm.collectionVariables.set("application_id", a.id);']),
        request("A second open application is 409", "POST", "/api/v1/referral-applications",
                "One undecided application per person and CIS; the problem links to the first.", user="ngo-staff",
                body=app_body,
                tests=[problem_test(409, "application_exists"), 'pm.test("links the first", function () { pm.expect(pm.response.json().existing).to.eql("/api/v1/referral-applications/" + pm.collectionVariables.get("application_id")); });']),
        request("MOPR inbox shows the application", "GET", "/api/v1/events", "MOPR's feed: `application.submitted`.",
                user="mopr-staff", tests=[status_test(200), 'pm.test("application.submitted", function () { var t = pm.response.json().items.map(function (e) { return e.resource_id; }); pm.expect(t).to.include(pm.collectionVariables.get("application_id")); });']),
        request("Referral before the opinion is 409", "POST", "/api/v1/referrals", "A referral without an opinion is impossible.",
                user="mopr-director", headers={"If-Match": '"1"'}, body={"application_id": var("application_id"), "decision": "referred"},
                tests=[problem_test(409, "opinion_required")]),
        request("CIS cannot issue an opinion (403)", "POST", "/api/v1/opinions", "Opinions are written by MOPR social workers.",
                user="cis-staff", headers={"If-Match": '"1"'}, body=opinion, tests=[problem_test(403, "forbidden")]),
        request("Social worker issues the opinion", "POST", "/api/v1/opinions",
                "After the family interview; forwarded to the CIS at once.", user="mopr-worker",
                headers={"If-Match": '"1"'}, body=opinion,
                tests=[status_test(201), 'var o = pm.response.json();',
                       'pm.test("application moved on", function () { pm.expect(o.application_status).to.eql("opinion_issued"); pm.expect(o.issued_on_time).to.eql(true); });',
                       'pm.collectionVariables.set("opinion_id", o.id);']),
        request("Director refers the person", "POST", "/api/v1/referrals", "The referral travels to the CIS with the opinion.",
                user="mopr-director", headers={"If-Match": '"2"'}, body={"application_id": var("application_id"), "decision": "referred"},
                tests=[status_test(201), 'var r = pm.response.json();',
                       'pm.test("referred with the opinion", function () { pm.expect(r.decision).to.eql("referred"); pm.expect(r.opinion_id).to.eql(pm.collectionVariables.get("opinion_id")); });',
                       'pm.collectionVariables.set("referral_id", r.id);']),
        request("CIS inbox shows opinion and referral", "GET", "/api/v1/events", "The CIS's feed.", user="cis-staff",
                tests=[status_test(200), 'pm.test("opinion.issued then referral.issued", function () { var t = pm.response.json().items.map(function (e) { return e.type; }); pm.expect(t).to.include("opinion.issued"); pm.expect(t).to.include("referral.issued"); });']),
        request("CIS reads the referral", "GET", "/api/v1/referrals/" + var("referral_id"), "Addressed to it.", user="cis-staff",
                tests=[status_test(200)]),
        request("NGO sees the outcome", "GET", "/api/v1/referral-applications/" + var("application_id"),
                "Status and outcome, not the opinion.", user="ngo-staff",
                tests=[status_test(200), 'pm.test("referred, no opinion id", function () { var a = pm.response.json(); pm.expect(a.status).to.eql("referred"); pm.expect(a.opinion_id).to.eql(null); });']),
        request("NGO cannot read the opinion (404)", "GET", "/api/v1/opinions/" + var("opinion_id"),
                "The social worker's text goes to MOPR and the CIS only.", user="ngo-staff", tests=[problem_test(404, "not_found")]),
        request("NGO inbox links to what it may read", "GET", "/api/v1/events",
                "`referral.issued` for the applicant links to the application, not to the referral document.", user="ngo-staff",
                tests=[status_test(200), 'pm.test("links the application", function () { var e = pm.response.json().items.filter(function (x) { return x.type === "referral.issued"; })[0]; pm.expect(e.link).to.eql("/api/v1/referral-applications/" + pm.collectionVariables.get("application_id")); });']),
    ]
    return folder("2. Referral to a CIS", "NGO applies, MOPR's social worker opines, MOPR's director refers, the CIS reads its inbox.", items)


PLANNED_END_SCRIPT = """// The planned end: half a year after today.
var end = new Date(Date.now() + 183 * 24 * 3600 * 1000);
pm.collectionVariables.set("planned_end", end.toISOString().slice(0, 10));"""


def ipzs_folder():
    sign = {
        "referral_id": var("referral_id"), "signed_on": var("today"), "start_on": var("today"),
        "planned_end_on": var("planned_end"),
        "diagnosis": "Długotrwale bezrobotny, motywacja do zmiany.",
        "goals": "Nabycie kwalifikacji zawodowych i podjęcie zatrudnienia.",
        "activities": [{"kind": "vocational", "description": "Warsztat stolarski"},
                       {"kind": "social", "description": "Trening kompetencji społecznych"}],
        "participant_informed_of_insurance": True,
    }
    version_of = 'pm.collectionVariables.set("ipzs_version", pm.response.json().version);'
    items = [
        request("MOPR cannot sign an IPZS (403)", "POST", "/api/v1/ipzs", "The CIS signs the IPZS with the participant.",
                user="mopr-staff", body=sign, prerequest=PLANNED_END_SCRIPT, tests=[problem_test(403, "forbidden")]),
        request("CIS signs the IPZS", "POST", "/api/v1/ipzs",
                "From the referral; the trial month starts, obligations are computed.", user="cis-staff", body=sign,
                tests=[status_test(201), 'var i = pm.response.json();',
                       'pm.test("trial with its obligations", function () { pm.expect(i.status).to.eql("trial"); pm.expect(i.admission_list.due_on).to.match(/^\\d{4}-/); pm.expect(i.insurance.obligation_starts_on).to.match(/^\\d{4}-/); });',
                       'pm.collectionVariables.set("ipzs_id", i.id);', version_of]),
        request("NGO cannot see the IPZS (404)", "GET", "/api/v1/ipzs/" + var("ipzs_id"),
                "Only the CIS and the MOPR of the case see it.", user="ngo-staff", tests=[problem_test(404, "not_found")]),
        request("CIS director sends the admission list", "POST", "/api/v1/admission-lists",
                "Within 5 working days of signing.", user="cis-director", body={"ipzs_ids": [var("ipzs_id")]},
                tests=[status_test(201)]),
        request("CIS deadlines: admission list met", "GET", "/api/v1/deadlines?kind=admission_list",
                "The CIS's obligations with their status.", user="cis-director",
                tests=[status_test(200), 'pm.test("met", function () { var d = pm.response.json().items.filter(function (x) { return x.resource_id === pm.collectionVariables.get("ipzs_id"); })[0]; pm.expect(d.status).to.eql("met"); });']),
        request("Read the IPZS version", "GET", "/api/v1/ipzs/" + var("ipzs_id"), "For the next If-Match.", user="cis-staff",
                tests=[status_test(200), version_of]),
        request("Qualification too early is 409", "POST", "/api/v1/qualifications",
                "Asked only in the last week of the trial month; the problem says when.", user="cis-director",
                headers={"If-Match": '"{{ipzs_version}}"'}, body={"ipzs_id": var("ipzs_id"), "channel": "email"},
                tests=[problem_test(409, "qualification_request_too_early")]),
        request("MOPR deadlines: insurance registration open", "GET", "/api/v1/deadlines?kind=insurance_registration",
                "MOPR reports the participant to health insurance within 7 days of the obligation, which starts 30 days after the programme.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("open", function () { var d = pm.response.json().items.filter(function (x) { return x.resource_id === pm.collectionVariables.get("ipzs_id"); })[0]; pm.expect(d.status).to.eql("open"); });']),
        request("CIS terminates the IPZS early", "POST", "/api/v1/ipzs/" + var("ipzs_id") + "/terminate",
                "Absence; MOPR must be informed within 5 working days.", user="cis-staff",
                headers={"If-Match": '"{{ipzs_version}}"'}, body={"reason": "absence", "terminated_on": var("today")},
                tests=[status_test(200), 'pm.test("terminated, notice due", function () { var i = pm.response.json(); pm.expect(i.status).to.eql("terminated"); pm.expect(i.termination.notice_status).to.be.oneOf(["open", "due_soon"]); });', version_of]),
        request("CIS staff cannot send the notice (403)", "POST", "/api/v1/ipzs/" + var("ipzs_id") + "/termination-notice",
                "The notice to MOPR is the CIS director's act.", user="cis-staff", headers={"If-Match": '"{{ipzs_version}}"'},
                tests=[problem_test(403, "forbidden")]),
        request("Stale If-Match on the notice is 412", "POST", "/api/v1/ipzs/" + var("ipzs_id") + "/termination-notice",
                "The version moved with the termination.", user="cis-director", headers={"If-Match": '"1"'},
                tests=[problem_test(412, "version_mismatch")]),
        request("CIS director informs MOPR", "POST", "/api/v1/ipzs/" + var("ipzs_id") + "/termination-notice",
                "The notice reaches MOPR's inbox.", user="cis-director", headers={"If-Match": '"{{ipzs_version}}"'},
                tests=[status_test(200), 'pm.test("met", function () { pm.expect(pm.response.json().termination.notice_status).to.eql("met"); });']),
        request("MOPR inbox has the notice", "GET", "/api/v1/events", "`ipzs.terminated`.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("ipzs.terminated", function () { var t = pm.response.json().items.map(function (e) { return e.type; }); pm.expect(t).to.include("ipzs.terminated"); });']),
    ]
    return folder("3. IPZS, admission list, deadlines, termination",
                  "The CIS signs the IPZS, reports the admission, cannot ask for qualification before the trial's last week, terminates and informs MOPR.",
                  items)


def dps_folder():
    version_of = 'pm.collectionVariables.set("dps_version", pm.response.json().version);'
    if_match = {"If-Match": '"{{dps_version}}"'}
    case = "/api/v1/dps-applications/" + var("dps_id")
    yes = {"met": True, "note": None}
    facts = {"receives_permanent_allowance": False, "receives_pension": False, "combatant": False,
             "placement_by_court_order": False, "psychiatrist_certificate_indicated": False, "obliged_relatives": [],
             "eligibility": {"age_illness_or_disability": yes, "needs_round_the_clock_care": yes,
                             "cannot_live_independently": yes, "home_care_insufficient": yes}}
    application = {"person_id": var("dps_person_id"), "applicant_kind": "person", "form": "written",
                   "received_on": var("today"), "dps_type": "elderly", "income_documents_filed": True,
                   "justification": "Po udarze wymaga całodobowej opieki; usługi opiekuńcze nie wystarczają."}
    items = [
        request("MOPR registers the person", "POST", "/api/v1/persons", "A person without a PESEL: birth date and sex.",
                user="mopr-staff", body={"first_name": "Helena", "last_name": "Postmanowa", "birth_date": "1941-05-02", "sex": "female"},
                tests=[status_test(201), 'pm.collectionVariables.set("dps_person_id", pm.response.json().id);']),
        request("CIS cannot file a DPS application (403)", "POST", "/api/v1/dps-applications",
                "MOPR records applications; a PCPR files its own.", user="cis-staff", body=application,
                tests=[problem_test(403, "forbidden")]),
        request("MOPR records the application", "POST", "/api/v1/dps-applications",
                "The proceedings start on received_on: documents due in 14 days, the decision in a month.", user="mopr-staff",
                body=application,
                tests=[status_test(201), 'var c = pm.response.json();',
                       'pm.test("collecting, deadlines computed", function () { pm.expect(c.status).to.eql("collecting"); pm.expect(c.documents_due_on).to.match(/^\\d{4}-/); pm.expect(c.decision_deadline.due_on).to.match(/^\\d{4}-/); pm.expect(c.file.complete).to.eql(false); });',
                       'pm.collectionVariables.set("dps_id", c.id);', version_of]),
        request("The team needs a complete file (409)", "POST", case + "/qualifying-team",
                "No facts and no documents yet.", user="mopr-staff", headers=if_match,
                body={"sat_on": var("today"), "members": ["Jan Nowak"], "justified": True, "reasons": "x"},
                tests=[problem_test(409, "file_incomplete")]),
        request("The decision needs the team (409)", "POST", case + "/decision", "The qualifying team comes first.",
                user="mopr-director", headers=if_match,
                body={"outcome": "granted", "reasons": "x", "legal_basis": "x", "signed_as": "director"},
                tests=[problem_test(409, "team_opinion_required")]),
        request("Staff cannot record the facts (403)", "POST", case + "/facts", "The social worker records them.",
                user="mopr-staff", headers=if_match, body=facts, tests=[problem_test(403, "forbidden")]),
        request("Social worker records the facts", "POST", case + "/facts",
                "The checklist follows: consent, interview, medical certificate, fitness questionnaire, data consent.",
                user="mopr-worker", headers=if_match, body=facts,
                tests=[status_test(200), 'pm.test("checklist computed", function () { pm.expect(pm.response.json().file.missing).to.include("placement_consent"); });', version_of]),
        request("Stale If-Match is 412", "POST", case + "/documents/family_interview", "The version moved with the facts.",
                user="mopr-staff", headers={"If-Match": '"1"'}, body={"status": "received", "received_on": var("today")},
                tests=[problem_test(412, "version_mismatch")]),
    ]
    for code in ["family_interview", "placement_consent", "medical_certificate", "fitness_questionnaire",
                 "data_processing_consent"]:
        items.append(request("Document received: " + code, "POST", case + "/documents/" + code,
                             "One checklist item received today.", user="mopr-staff", headers=if_match,
                             body={"status": "received", "received_on": var("today")},
                             tests=[status_test(200), version_of]))
    items += [
        request("Qualifying team gives its opinion", "POST", case + "/qualifying-team", "On the complete file.",
                user="mopr-staff", headers=if_match,
                body={"sat_on": var("today"), "members": ["Jan Nowak", "Ewa Wiśniewska"], "justified": True,
                      "reasons": "Spełnia warunki umieszczenia."},
                tests=[status_test(200), 'pm.test("assessed", function () { pm.expect(pm.response.json().status).to.eql("assessed"); });', version_of]),
        request("Director issues the decision", "POST", case + "/decision", "Granted, on time.", user="mopr-director",
                headers=if_match,
                body={"outcome": "granted", "reasons": "Spełnia warunki art. 54 ust. 1 ustawy o pomocy społecznej.",
                      "legal_basis": "art. 54 ust. 1, art. 59 ust. 1 ustawy o pomocy społecznej", "signed_as": "director"},
                tests=[status_test(200), 'pm.test("decided on time", function () { var c = pm.response.json(); pm.expect(c.status).to.eql("decided"); pm.expect(c.decision.on_time).to.eql(true); });', version_of]),
        request("Delivery to the person", "POST", case + "/deliveries", "Her 14-day appeal window starts.",
                user="mopr-staff", headers=if_match,
                body={"party_name": "Helena Postmanowa", "party_role": "person", "delivered_on": var("today"),
                      "method": "social_worker"},
                tests=[status_test(200), 'pm.test("window runs", function () { pm.expect(pm.response.json().parties[0].appeal_deadline).to.match(/^\\d{4}-/); });', version_of]),
        request("Waiver of appeal makes it final", "POST", case + "/deliveries/party_1/waiver",
                "The last party's waiver reached MOPR today (KPA art. 127a).", user="mopr-staff", headers=if_match,
                body={"received_on": var("today")},
                tests=[status_test(200), 'pm.test("final by waiver", function () { var f = pm.response.json().finality; pm.expect(f.final).to.eql(true); pm.expect(f.basis).to.eql("waivers"); });', version_of]),
        request("A second waiver is 409", "POST", case + "/deliveries/party_1/waiver", "Once per party.",
                user="mopr-staff", headers=if_match, body={"received_on": var("today")},
                tests=[problem_test(409, "already_waived")]),
        request("MOPR deadlines: the decision met", "GET", "/api/v1/deadlines?kind=dps_decision", "MOPR's DPS obligations.",
                user="mopr-director",
                tests=[status_test(200), 'pm.test("met", function () { var d = pm.response.json().items.filter(function (x) { return x.resource_id === pm.collectionVariables.get("dps_id"); })[0]; pm.expect(d.status).to.eql("met"); });']),
        request("NGO cannot see the case (404)", "GET", case, "Only its MOPR and an applying PCPR.", user="ngo-staff",
                tests=[problem_test(404, "not_found")]),
    ]
    return folder("4. DPS placement case", "MOPR records an application; the social worker records the facts; the file is completed; the team, the decision, delivery and a waiver make it final.", items)


def placement_folder():
    case = "/api/v1/dps-applications/" + var("dps_id")
    home = "/api/v1/care-homes/" + var("home_id")
    entry = "/api/v1/waiting-list-entries/" + var("entry_id")
    case_if_match = {"If-Match": '"{{dps_version}}"'}
    entry_if_match = {"If-Match": '"{{entry_version}}"'}
    def fee(agreed):
        return {"care_home_id": var("home_id"), "applies_from": var("today"), "resident_income": 200000,
                "relatives": [{"name": "Anna Postmanowa", "relation": "descendant",
                               "household": {"kind": "single", "income": 400000}, "agreed": agreed}],
                "volunteers": []}
    home_body = {"name": "DPS Postman " + var("$randomUUID"), "address": "ul. Testowa 1, 87-100 Toruń",
                 "dps_types": ["elderly"], "places": 1, "operator": "Gmina Miasta Toruń",
                 "placing_institution_id": var("mopr_id"),
                 "average_cost": {"applies_from": "2026-01-01", "monthly_cost": 600000}}
    items = [
        request("Income criteria", "GET", "/api/v1/income-criteria",
                "The criteria since 2015; 300% of the 2015 ones are seed 003's 1,902 / 1,542 zł.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("2015 thresholds", function () { var t = pm.response.json().items[0].fee_thresholds; pm.expect(t.single).to.eql(190200); pm.expect(t.per_person_in_family).to.eql(154200); });']),
        request("CIS cannot register a care home (403)", "POST", "/api/v1/care-homes",
                "The placing institution's director or a platform admin.", user="cis-director", body=home_body,
                tests=[problem_test(403, "forbidden")]),
        request("MOPR director registers a care home", "POST", "/api/v1/care-homes",
                "One place, 6,000.00 zł a month from 2026-01-01 (a new name each run).", user="mopr-director", body=home_body,
                tests=[status_test(201), 'var h = pm.response.json();',
                       'pm.test("one free place", function () { pm.expect(h.free_places).to.eql(1); pm.expect(h.average_cost.monthly_cost).to.eql(600000); });',
                       'pm.collectionVariables.set("home_id", h.id);']),
        request("Staff cannot issue a fee decision (403)", "POST", case + "/fee-decisions",
                "The MOPR director issues it.", user="mopr-staff", headers=case_if_match, body=fee(97000),
                tests=[problem_test(403, "forbidden")]),
        request("An agreement above the relative's maximum is 422", "POST", case + "/fee-decisions",
                "Living alone on 4,000 zł against 3,030 zł (2025): at most 970 zł.", user="mopr-director",
                headers=case_if_match, body=fee(97001),
                tests=[problem_test(422, "validation_failed"), 'pm.test("names the relative", function () { var e = pm.response.json().errors[0]; pm.expect(e.field).to.eql("relatives[0].agreed"); pm.expect(e.code).to.eql("above_legal_maximum"); });']),
        request("Director issues the fee decision", "POST", case + "/fee-decisions",
                "Resident 1,400 zł (70% of 2,000), daughter 970 zł, municipality 3,630 zł of 6,000 zł.", user="mopr-director",
                headers=case_if_match, body=fee(97000),
                tests=[status_test(201), 'var f = pm.response.json();',
                       'pm.test("split line by line", function () { pm.expect(f.split.resident_pays).to.eql(140000); pm.expect(f.split.relatives[0].pays).to.eql(97000); pm.expect(f.split.municipality_pays).to.eql(363000); pm.expect(f.current).to.eql(true); });',
                       'pm.collectionVariables.set("fee_id", f.id);']),
        request("The case no longer awaits its fee decision", "GET", case, "The decision names the fee decision in force.",
                user="mopr-staff",
                tests=[status_test(200), 'pm.test("linked", function () { var c = pm.response.json(); pm.expect(c.awaiting_fee_decision).to.eql(false); pm.expect(c.decision.fee_decision_id).to.eql(pm.collectionVariables.get("fee_id")); });',
                       'pm.collectionVariables.set("dps_version", pm.response.json().version);']),
        request("PCPR cannot see the fee decision (404)", "GET", "/api/v1/fee-decisions/" + var("fee_id"),
                "Fees are computed from incomes: the case's MOPR only.", user="pcpr-staff", tests=[problem_test(404, "not_found")]),
        request("MOPR enters the person on the waiting list", "POST", "/api/v1/waiting-list-entries",
                "The decision is final; a place is free and nobody is ahead: no wait.", user="mopr-staff",
                body={"care_home_id": var("home_id"), "dps_application_id": var("dps_id")},
                tests=[status_test(201), 'var e = pm.response.json();',
                       'pm.test("first, no wait", function () { pm.expect(e.position).to.eql(1); pm.expect(e.expected_wait.days).to.eql(0); });',
                       'pm.collectionVariables.set("entry_id", e.id);', 'pm.collectionVariables.set("entry_version", e.version);']),
        request("Entering twice is 409", "POST", "/api/v1/waiting-list-entries", "Once per home.", user="mopr-staff",
                body={"care_home_id": var("home_id"), "dps_application_id": var("dps_id")},
                tests=[problem_test(409, "already_waiting")]),
        request("Staff cannot place (403)", "POST", entry + "/placement", "The placing institution's director decides.",
                user="mopr-staff", headers=entry_if_match, body={"admission_on": var("today")},
                tests=[problem_test(403, "forbidden")]),
        request("A placement without If-Match is 428", "POST", entry + "/placement", "Every transition takes the entry's ETag.",
                user="mopr-director", body={"admission_on": var("today")}, tests=[problem_test(428, "if_match_required")]),
        request("Director issues the placement decision", "POST", entry + "/placement", "The first in line takes the free place.",
                user="mopr-director", headers=entry_if_match, body={"admission_on": var("today")},
                tests=[status_test(200), 'pm.test("placed", function () { var e = pm.response.json(); pm.expect(e.status).to.eql("placed"); pm.expect(e.placement.position).to.eql(1); });']),
        request("The home is full now", "GET", home, "Free places are derived from the residents.", user="ngo-staff",
                tests=[status_test(200), 'pm.test("no free place", function () { pm.expect(pm.response.json().free_places).to.eql(0); });']),
        request("CIS cannot see the entry (404)", "GET", entry, "The case's MOPR and the placing institution only.",
                user="cis-staff", tests=[problem_test(404, "not_found")]),
    ]
    return folder("5. Fee decision, waiting list and placement", "The DPS case of folder 4 gets its fee decision, enters a new home's waiting list and is placed.", items)


def webhooks_folder():
    hook = "/api/v1/webhooks/" + var("webhook_id")
    body = {"url": "https://partner.example.org/reintegra/hooks", "event_types": ["application.submitted", "opinion.issued"],
            "description": "Postman"}
    items = [
        request("NGO staff cannot register a webhook (403)", "POST", "/api/v1/webhooks",
                "An institution's admin registers its endpoints.", user="ngo-staff", body=body,
                tests=[problem_test(403, "forbidden")]),
        request("A cloud-metadata target is refused (422)", "POST", "/api/v1/webhooks",
                "Private, loopback and link-local targets could reach internal services (SSRF).", user="mopr-admin",
                body={"url": "https://169.254.169.254/latest/meta-data/", "event_types": ["opinion.issued"]},
                tests=[problem_test(422, "validation_failed"),
                       'pm.test("names the url", function () { var e = pm.response.json().errors[0]; pm.expect(e.field).to.eql("url"); pm.expect(e.code).to.eql("private_target"); });']),
        request("MOPR admin registers a webhook", "POST", "/api/v1/webhooks",
                "The response carries the Standard Webhooks signing secret, shown this once: store it to verify "
                "`webhook-signature` (see the README).", user="mopr-admin", body=body,
                tests=[status_test(201), 'var w = pm.response.json();',
                       'pm.test("a whsec_ secret, active", function () { pm.expect(w.secret).to.match(/^whsec_/); pm.expect(w.active).to.eql(true); });',
                       'pm.collectionVariables.set("webhook_id", w.id);']),
        request("The secret is never shown again", "GET", hook, "Reads carry no secret.", user="mopr-admin",
                tests=[status_test(200), 'pm.test("no secret", function () { pm.expect(pm.response.json()).to.not.have.property("secret"); });']),
        request("NGO registers a person for a new application", "POST", "/api/v1/persons",
                "An event for MOPR follows: the application of the next request.", user="ngo-staff",
                body=person_body("Marek", "Webhookowy"), prerequest=PESEL_SCRIPT,
                tests=[status_test(201), 'pm.collectionVariables.set("hook_person_id", pm.response.json().id);']),
        request("NGO files: MOPR's endpoint gets application.submitted", "POST", "/api/v1/referral-applications",
                "The delivery is made from the feed within about a second.", user="ngo-staff",
                body={"person_id": var("hook_person_id"), "target_cis_id": var("cis_id"),
                      "eligibility_categories": ["long_term_unemployed"], "justification": "Chce wrócić do pracy.",
                      "received_on": var("today"), "consent": {"given": True, "given_on": var("today"), "given_by": "person"}},
                tests=[status_test(201)]),
        request("Its deliveries, with every attempt", "GET", hook + "/deliveries",
                "Newest first; each with the body sent and its attempts (status or error, duration). Here the "
                "example host does not resolve, so the first attempt failed and a retry is due.", user="mopr-admin",
                prerequest="// Give the delivery worker (it looks every second) time for its first attempt.\nsetTimeout(function () {}, 2500);",
                tests=[status_test(200),
                       'pm.test("the application\'s delivery, signed payload kept", function () { var d = pm.response.json().items[0]; pm.expect(d.event_type).to.eql("application.submitted"); pm.expect(d.payload.data.resource_type).to.eql("referral_application"); pm.expect(d.attempts.length).to.be.at.least(1); });']),
        request("Deactivating without If-Match is 428", "POST", hook + "/deactivate", "Every change takes the ETag.",
                user="mopr-admin", tests=[problem_test(428, "if_match_required")]),
        request("MOPR admin deactivates the webhook", "POST", hook + "/deactivate", "Nothing more is delivered to it.",
                user="mopr-admin", headers={"If-Match": '"1"'},
                tests=[status_test(200), 'pm.test("inactive", function () { pm.expect(pm.response.json().active).to.eql(false); });']),
    ]
    return folder("6. Webhooks", "An institution's admin registers a signed-delivery endpoint, reads its deliveries and deactivates it.", items)


def administration_folder():
    items = [
        request("Platform admin lists the accounts", "GET", "/api/v1/users", "Every institution's users, in pages.",
                user="platform-admin", tests=[status_test(200)]),
        request("MOPR admin creates an API client", "POST", "/api/v1/api-clients",
                "For partner software (OAuth client credentials); the secret is shown once.", user="mopr-admin",
                body={"name": "System dziedzinowy " + var("$randomUUID"), "role": "staff"},
                tests=[status_test(201), 'pm.test("secret shown once", function () { pm.expect(pm.response.json().client_secret).to.be.a("string"); });']),
        request("MOPR admin lists its API clients", "GET", "/api/v1/api-clients", "No secrets in the list.",
                user="mopr-admin", tests=[status_test(200)]),
        request("MOPR director reads the audit trail of the person", "GET", "/api/v1/audit-events?person_id=" + var("person_id"),
                "Every read and change of the person's data, newest first.", user="mopr-director",
                tests=[status_test(200), 'pm.test("reads and changes recorded", function () { pm.expect(pm.response.json().items.length).to.be.above(0); });']),
        request("NGO staff cannot read the audit trail (403)", "GET", "/api/v1/audit-events", "MOPR directors and platform admins.",
                user="ngo-staff", tests=[problem_test(403, "forbidden")]),
        request("The residents of the home", "GET", "/api/v1/care-homes/" + var("home_id") + "/residents",
                "The placing institution's casework roles; the person placed in folder 5 lives there.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("one resident", function () { pm.expect(pm.response.json().items.length).to.eql(1); });']),
    ]
    return folder("7. Administration and the audit trail", "Accounts, API clients, the audit trail and a home's residents.", items)


DATES_SCRIPT = """// Dates in the past, relative to today in Europe/Warsaw (UTC+1 in winter, close enough for whole days).
function ago(n) { return new Date(Date.now() + 3600 * 1000 - n * 86400000).toISOString().slice(0, 10); }
[130, 125, 122, 120, 118, 90, 88, 85, 80, 60, 55, 20, 18, 10, 8, 6].forEach(function (n) { pm.collectionVariables.set("ago_" + n, ago(n)); });
pm.collectionVariables.set("tomorrow", ago(-1));"""

SHIFT_SCRIPT = """// A date `days` after a stored one (a YYYY-MM-DD string).
function shift(date, days) { var d = new Date(date + "T12:00:00Z"); d.setUTCDate(d.getUTCDate() + days); return d.toISOString().slice(0, 10); }"""


def running_cases_folder():
    """Brings in an IPZS in its fourth month and DPS cases at each stage, act by act with their real dates."""
    ipzs = "/api/v1/ipzs/" + var("run_ipzs_id")
    version_of = lambda name: f'pm.collectionVariables.set("{name}", pm.response.json().version);'
    yes = {"met": True, "note": None}
    facts = {"receives_permanent_allowance": False, "receives_pension": False, "combatant": False,
             "placement_by_court_order": False, "psychiatrist_certificate_indicated": False, "obliged_relatives": [],
             "eligibility": {"age_illness_or_disability": yes, "needs_round_the_clock_care": yes,
                             "cannot_live_independently": yes, "home_care_insufficient": yes}}
    items = [
        request("NGO registers the participant", "POST", "/api/v1/persons",
                "A participant whose programme started four months ago, on paper.", user="ngo-staff",
                body=person_body("Marek", "Papierowy"), prerequest=PESEL_SCRIPT + "\n" + DATES_SCRIPT,
                tests=[status_test(201), 'pm.collectionVariables.set("run_person_id", pm.response.json().id);']),
        request("The application, received 130 days ago", "POST", "/api/v1/referral-applications",
                "`received_on` is the day it reached MOPR; the opinion was due 14 days later. Recorded today, so the "
                "act is `recorded_late`.", user="ngo-staff",
                body={"person_id": var("run_person_id"), "target_cis_id": var("cis_id"),
                      "eligibility_categories": ["long_term_unemployed"], "justification": "Wniosek z papierowego obiegu.",
                      "received_on": var("ago_130"), "consent": {"given": True, "given_on": var("ago_130"), "given_by": "person"}},
                tests=[status_test(201), 'var a = pm.response.json();',
                       'pm.test("recorded late", function () { pm.expect(a.recorded_late).to.eql(true); });',
                       'pm.collectionVariables.set("run_application_id", a.id);', version_of("run_application_version")]),
        request("An opinion dated tomorrow is 422", "POST", "/api/v1/opinions", "A legal date is never in the future.",
                user="mopr-worker", headers={"If-Match": '"{{run_application_version}}"'},
                body={"application_id": var("run_application_id"), "family_interview_on": var("ago_125"),
                      "recommendation": "positive", "justification": "Wywiad potwierdza motywację.", "issued_on": var("tomorrow")},
                tests=[problem_test(422, "validation_failed"), 'pm.test("in_future on issued_on", function () { var e = pm.response.json().errors[0]; pm.expect(e.field).to.eql("issued_on"); pm.expect(e.code).to.eql("in_future"); });']),
        request("The opinion, issued 125 days ago", "POST", "/api/v1/opinions", "`issued_on` judges the 14 days.",
                user="mopr-worker", headers={"If-Match": '"{{run_application_version}}"'},
                body={"application_id": var("run_application_id"), "family_interview_on": var("ago_125"),
                      "recommendation": "positive", "justification": "Wywiad potwierdza motywację.", "issued_on": var("ago_125")},
                tests=[status_test(201), 'pm.test("on time", function () { pm.expect(pm.response.json().issued_on_time).to.eql(true); });',
                       'pm.collectionVariables.set("run_application_version", pm.response.json().application_version);']),
        request("A referral before the opinion is 422", "POST", "/api/v1/referrals",
                "Never before the act it follows: the problem names the opinion and its date.", user="mopr-director",
                headers={"If-Match": '"{{run_application_version}}"'},
                body={"application_id": var("run_application_id"), "decision": "referred", "issued_on": var("ago_130")},
                tests=[problem_test(422, "validation_failed"), 'pm.test("before_opinion", function () { pm.expect(pm.response.json().errors[0].code).to.eql("before_opinion"); });']),
        request("The referral, signed 122 days ago", "POST", "/api/v1/referrals", "The IPZS may be signed from this day.",
                user="mopr-director", headers={"If-Match": '"{{run_application_version}}"'},
                body={"application_id": var("run_application_id"), "decision": "referred", "issued_on": var("ago_122")},
                tests=[status_test(201), 'pm.collectionVariables.set("run_referral_id", pm.response.json().id);']),
        request("The IPZS, signed 120 days ago", "POST", "/api/v1/ipzs", "Its trial month and deadlines run from `signed_on`.",
                user="cis-staff",
                body={"referral_id": var("run_referral_id"), "signed_on": var("ago_120"), "start_on": var("ago_120"),
                      "planned_end_on": var("ago_-240"), "diagnosis": "Długotrwale bezrobotny.", "goals": "Zatrudnienie.",
                      "activities": [{"kind": "vocational", "description": "Warsztat"}, {"kind": "social", "description": "Trening"}],
                      "participant_informed_of_insurance": True},
                prerequest='pm.collectionVariables.set("ago_-240", new Date(Date.now() + 3600 * 1000 + 240 * 86400000).toISOString().slice(0, 10));',
                tests=[status_test(201), 'var i = pm.response.json();',
                       'pm.collectionVariables.set("run_ipzs_id", i.id);', 'pm.collectionVariables.set("run_trial_ends_on", i.trial_ends_on);',
                       'pm.collectionVariables.set("run_insurance_starts_on", i.insurance.obligation_starts_on);']),
        request("The admission list, sent 118 days ago", "POST", "/api/v1/admission-lists", "Within 5 working days of signing: met.",
                user="cis-director", body={"ipzs_ids": [var("run_ipzs_id")], "sent_on": var("ago_118")},
                tests=[status_test(201), 'pm.test("dated and recorded late", function () { var l = pm.response.json(); pm.expect(l.sent_on).to.eql(pm.collectionVariables.get("ago_118")); pm.expect(l.recorded_late).to.eql(true); });']),
        request("Read the IPZS version", "GET", ipzs, "For the next If-Match.", user="cis-staff",
                tests=[status_test(200), version_of("run_ipzs_version")]),
        request("The qualification request, in the trial's last week", "POST", "/api/v1/qualifications",
                "Dated two days before the trial month ended.", user="cis-director",
                headers={"If-Match": '"{{run_ipzs_version}}"'},
                body={"ipzs_id": var("run_ipzs_id"), "channel": "email", "requested_on": var("run_requested_on")},
                prerequest=SHIFT_SCRIPT + '\npm.collectionVariables.set("run_requested_on", shift(pm.collectionVariables.get("run_trial_ends_on"), -2));',
                tests=[status_test(201), 'pm.collectionVariables.set("run_qualification_id", pm.response.json().id);',
                       version_of("run_qualification_version")]),
        request("The director qualifies, a day later", "POST", "/api/v1/qualifications/" + var("run_qualification_id") + "/decision",
                "Before the proper period starts.", user="mopr-director", headers={"If-Match": '"{{run_qualification_version}}"'},
                body={"decision": "qualified", "channel": "email", "decided_on": var("run_decided_on")},
                prerequest=SHIFT_SCRIPT + '\npm.collectionVariables.set("run_decided_on", shift(pm.collectionVariables.get("run_requested_on"), 1));',
                tests=[status_test(200)]),
        request("Read the IPZS version again", "GET", ipzs, "For the next If-Match.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("active", function () { pm.expect(pm.response.json().status).to.eql("active"); });', version_of("run_ipzs_version")]),
        request("Health insurance registered", "POST", ipzs + "/insurance", "Two days after the obligation started.",
                user="mopr-staff", headers={"If-Match": '"{{run_ipzs_version}}"'},
                body={"registered_on": var("run_registered_on")},
                prerequest=SHIFT_SCRIPT + '\npm.collectionVariables.set("run_registered_on", shift(pm.collectionVariables.get("run_insurance_starts_on"), 2));',
                tests=[status_test(200), 'pm.test("registered on its day", function () { pm.expect(pm.response.json().insurance.registered_on).to.eql(pm.collectionVariables.get("run_registered_on")); });']),
        request("The IPZS register", "GET", ipzs + "/acts", "Every act with its legal date and when it was recorded.",
                user="cis-director",
                tests=[status_test(200), 'var r = pm.response.json();',
                       'pm.test("each act dated and marked", function () { pm.expect(r.recorded_late).to.eql(true); pm.expect(r.acts.map(function (a) { return a.act; })).to.include.members(["ipzs.signed", "admission_list.sent", "qualification.requested", "qualification.decided", "ipzs.insurance"]); });']),
        request("Back-dated programmes are filterable", "GET", "/api/v1/ipzs?recorded_late=true&limit=200",
                "A supervisor's view of what was entered more than 7 days after the act.", user="mopr-director",
                tests=[status_test(200), 'pm.test("listed", function () { pm.expect(pm.response.json().items.map(function (i) { return i.id; })).to.include(pm.collectionVariables.get("run_ipzs_id")); });']),
        request("The NGO cannot read the IPZS register (404)", "GET", ipzs + "/acts", "Only the CIS and the MOPR of the programme.",
                user="ngo-staff", tests=[problem_test(404, "not_found")]),
    ]
    for label, case, received, documents, team in [
        ("waiting", "run_dps_a", "ago_20", "ago_18", "ago_10"),
        ("final", "run_dps_b", "ago_90", "ago_88", "ago_85"),
    ]:
        path = "/api/v1/dps-applications/" + var(case + "_id")
        if_match = {"If-Match": '"{{' + case + '_version}}"'}
        items += [
            request(f"DPS ({label}): the person", "POST", "/api/v1/persons", "Registered today.", user="mopr-staff",
                    body={"first_name": "Zofia", "last_name": "Dawna", "birth_date": "1938-02-11", "sex": "female"},
                    tests=[status_test(201), f'pm.collectionVariables.set("{case}_person_id", pm.response.json().id);']),
            request(f"DPS ({label}): the application, received on {received.replace('ago_', '')} days ago", "POST",
                    "/api/v1/dps-applications", "The decision's month runs from `received_on`.", user="mopr-staff",
                    body={"person_id": var(case + "_person_id"), "applicant_kind": "person", "form": "written",
                          "received_on": var(received), "dps_type": "elderly", "income_documents_filed": True,
                          "justification": "Wymaga całodobowej opieki."},
                    tests=[status_test(201), f'pm.collectionVariables.set("{case}_id", pm.response.json().id);', version_of(case + "_version")]),
            request(f"DPS ({label}): the facts", "POST", path + "/facts", "Recorded by the social worker.", user="mopr-worker",
                    headers=if_match, body=facts, tests=[status_test(200), version_of(case + "_version")]),
        ]
        for code in ["family_interview", "placement_consent", "medical_certificate", "fitness_questionnaire",
                     "data_processing_consent"]:
            items.append(request(f"DPS ({label}): {code} received", "POST", path + "/documents/" + code,
                                 "With the day it arrived.", user="mopr-staff", headers=if_match,
                                 body={"status": "received", "received_on": var(documents)},
                                 tests=[status_test(200), version_of(case + "_version")]))
        items.append(request(f"DPS ({label}): the qualifying team", "POST", path + "/qualifying-team", "With the day it sat.",
                             user="mopr-staff", headers=if_match,
                             body={"sat_on": var(team), "members": ["Jan Nowak"], "justified": True, "reasons": "Spełnia warunki."},
                             tests=[status_test(200), 'pm.test("file completed when its last document arrived", function () { pm.expect(pm.response.json().file.completed_on).to.eql(pm.collectionVariables.get("' + documents + '")); });', version_of(case + "_version")]))
    items += [
        request("DPS (waiting): the decision is due a month after the application", "GET", "/api/v1/deadlines?kind=dps_decision",
                "Still open: the case waits for its decision.", user="mopr-director",
                tests=[status_test(200), 'pm.test("open", function () { var d = pm.response.json().items.filter(function (x) { return x.resource_id === pm.collectionVariables.get("run_dps_a_id"); })[0]; pm.expect(d.status).to.be.oneOf(["open", "due_soon"]); });']),
        request("DPS (waiting): decided 8 days ago", "POST", "/api/v1/dps-applications/" + var("run_dps_a_id") + "/decision",
                "Signed before it was typed in.", user="mopr-director", headers={"If-Match": '"{{run_dps_a_version}}"'},
                body={"outcome": "granted", "reasons": "Spełnia warunki.", "legal_basis": "art. 54 ust. 1 ustawy o pomocy społecznej",
                      "signed_as": "director", "decided_on": var("ago_8")},
                tests=[status_test(200), version_of("run_dps_a_version")]),
        request("DPS (waiting): delivered 6 days ago", "POST", "/api/v1/dps-applications/" + var("run_dps_a_id") + "/deliveries",
                "The 14-day window runs from delivery: not final yet.", user="mopr-staff", headers={"If-Match": '"{{run_dps_a_version}}"'},
                body={"party_name": "Zofia Dawna", "party_role": "person", "delivered_on": var("ago_6"), "method": "post_with_acknowledgement"},
                tests=[status_test(200), 'pm.test("window still open", function () { pm.expect(pm.response.json().finality.final).to.eql(false); });']),
        request("DPS (final): decided 60 days ago", "POST", "/api/v1/dps-applications/" + var("run_dps_b_id") + "/decision",
                "On time: the month ran from the application.", user="mopr-director", headers={"If-Match": '"{{run_dps_b_version}}"'},
                body={"outcome": "granted", "reasons": "Spełnia warunki.", "legal_basis": "art. 54 ust. 1 ustawy o pomocy społecznej",
                      "signed_as": "director", "decided_on": var("ago_60")},
                tests=[status_test(200), 'pm.test("on time", function () { pm.expect(pm.response.json().decision.on_time).to.eql(true); });', version_of("run_dps_b_version")]),
        request("DPS (final): delivered 55 days ago, final by lapse at once", "POST",
                "/api/v1/dps-applications/" + var("run_dps_b_id") + "/deliveries",
                "The appeal window closed long before it was recorded.", user="mopr-staff", headers={"If-Match": '"{{run_dps_b_version}}"'},
                body={"party_name": "Zofia Dawna", "party_role": "person", "delivered_on": var("ago_55"), "method": "post_with_acknowledgement"},
                tests=[status_test(200), 'var f = pm.response.json().finality;',
                       'pm.test("final by lapse", function () { pm.expect(f.final).to.eql(true); pm.expect(f.basis).to.eql("lapse"); });',
                       'pm.collectionVariables.set("run_final_on", f.final_on);']),
        request("DPS (final): on the waiting list since it became final", "POST", "/api/v1/waiting-list-entries",
                "`entered_on` keeps the queue's order.", user="mopr-staff",
                body={"care_home_id": var("home_id"), "dps_application_id": var("run_dps_b_id"), "entered_on": var("run_final_on")},
                tests=[status_test(201), 'pm.test("entered on its day", function () { pm.expect(pm.response.json().entered_on).to.eql(pm.collectionVariables.get("run_final_on")); });']),
        request("DPS (final): the case register", "GET", "/api/v1/dps-applications/" + var("run_dps_b_id") + "/acts",
                "Each act with its legal date and when it was recorded.", user="mopr-director",
                tests=[status_test(200), 'pm.test("decision and waiting list registered", function () { var acts = pm.response.json().acts.map(function (a) { return a.act; }); pm.expect(acts).to.include.members(["dps_application.decision", "dps_application.delivery", "waiting_list.entered"]); });']),
        request("The PCPR cannot read a DPS register (404)", "GET", "/api/v1/dps-applications/" + var("run_dps_b_id") + "/acts",
                "The register is for the MOPR that runs the case.", user="pcpr-staff", tests=[problem_test(404, "not_found")]),
        request("The referral application's register", "GET", "/api/v1/referral-applications/" + var("run_application_id") + "/acts",
                "The applying NGO reads it too.", user="ngo-staff",
                tests=[status_test(200), 'pm.test("three acts", function () { pm.expect(pm.response.json().acts.length).to.eql(3); });']),
    ]
    return folder("8. Bringing in running cases",
                  "An office that starts using reintegra enters what it already has, act by act with the real dates: an IPZS in its fourth month, "
                  "a DPS case waiting for its decision, then decided and delivered, and one final and on the waiting list.", items)


def documents_folder():
    doc = "/api/v1/documents/"
    items = [
        request("NGO files the signed consent (PDF)", "POST", "/api/v1/documents",
                "multipart/form-data: `metadata` (JSON) then `file`. The type is detected from the content.", user="ngo-staff",
                multipart=({"case_type": "referral_application", "case_id": var("application_id"), "kind": "consent",
                            "title": "Zgoda osoby na złożenie wniosku", "received_on": var("today")}, "postman/files/zgoda.pdf"),
                tests=[status_test(201), 'var d = pm.response.json();',
                       'pm.test("a PDF with its hash", function () { pm.expect(d.content_type).to.eql("application/pdf"); pm.expect(d.sha256).to.match(/^[0-9a-f]{64}$/); pm.expect(pm.response.headers.get("Location")).to.eql("/api/v1/documents/" + d.id); });',
                       'pm.collectionVariables.set("doc_pdf_id", d.id);', 'pm.collectionVariables.set("doc_pdf_size", d.size);']),
        request("MOPR files a photo of the interview's signed page (PNG)", "POST", "/api/v1/documents",
                "A phone's photo of a signed page.", user="mopr-worker",
                multipart=({"case_type": "referral_application", "case_id": var("application_id"), "kind": "community_interview",
                            "title": "Wywiad środowiskowy, strona 3"}, "postman/files/zdjecie-strony.png"),
                tests=[status_test(201), 'pm.test("a PNG", function () { pm.expect(pm.response.json().content_type).to.eql("image/png"); });',
                       'pm.collectionVariables.set("doc_photo_id", pm.response.json().id);']),
        request("An executable named .pdf is 415", "POST", "/api/v1/documents",
                "Recognised by its first bytes, not by its name: the problem lists the accepted types.", user="mopr-worker",
                multipart=({"case_type": "referral_application", "case_id": var("application_id"), "kind": "other",
                            "title": "Skan"}, "postman/files/program-udajacy-pdf.pdf"),
                tests=[problem_test(415, "unsupported_media_type")]),
        request("The NGO lists only what it filed", "GET", "/api/v1/documents?case_type=referral_application&case_id=" + var("application_id"),
                "An applicant does not see MOPR's file.", user="ngo-staff",
                tests=[status_test(200), 'pm.test("its own only", function () { var ids = pm.response.json().items.map(function (d) { return d.id; }); pm.expect(ids).to.eql([pm.collectionVariables.get("doc_pdf_id")]); });']),
        request("MOPR lists both, newest first", "GET", "/api/v1/documents?case_type=referral_application&case_id=" + var("application_id"),
                "Cursor pages, newest first; the referral's letter, issued in folder 2, comes after them.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("both, then the letter", function () { var items = pm.response.json().items; var ids = items.map(function (d) { return d.id; }); pm.expect(ids.slice(0, 2)).to.eql([pm.collectionVariables.get("doc_photo_id"), pm.collectionVariables.get("doc_pdf_id")]); pm.expect(items[2].kind).to.eql("letter_referral"); });']),
        request("The metadata with its ETag", "GET", doc + var("doc_pdf_id"), "For If-Match on withdrawal.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("ETag", function () { pm.expect(pm.response.headers.get("ETag")).to.eql("\\"1\\""); });']),
        request("Download the PDF", "GET", doc + var("doc_pdf_id") + "/content", "The bytes as filed, with their type, length and name.",
                user="cis-staff",
                tests=[status_test(200),
                       'pm.test("as filed", function () { pm.expect(pm.response.headers.get("Content-Type")).to.eql("application/pdf"); pm.expect(pm.response.headers.get("Content-Length")).to.eql(String(pm.collectionVariables.get("doc_pdf_size"))); pm.expect(pm.response.headers.get("Content-Disposition")).to.include("filename*=UTF-8\'\'zgoda.pdf"); });',
                       'pm.collectionVariables.set("doc_pdf_etag", pm.response.headers.get("ETag"));']),
        request("Unchanged since: 304", "GET", doc + var("doc_pdf_id") + "/content", "If-None-Match with the content's ETag.",
                user="cis-staff", headers={"If-None-Match": var("doc_pdf_etag")}, tests=[status_test(304)]),
        request("The first 8 bytes: 206", "GET", doc + var("doc_pdf_id") + "/content", "A single Range, as a phone resuming a download sends.",
                user="cis-staff", headers={"Range": "bytes=0-7"},
                tests=[status_test(206), 'pm.test("the PDF header", function () { pm.expect(pm.response.text()).to.eql("%PDF-1.4"); pm.expect(pm.response.headers.get("Content-Range")).to.match(/^bytes 0-7\\//); });']),
        request("The NGO cannot read MOPR's photo (404)", "GET", doc + var("doc_photo_id") + "/content", "Not visible is the same as absent.",
                user="ngo-staff", tests=[problem_test(404, "not_found")]),
        request("The CIS may not withdraw MOPR's photo (403)", "POST", doc + var("doc_photo_id") + "/withdraw",
                "Withdrawing is for the filing institution.", user="cis-director", headers={"If-Match": '"1"'},
                body={"reason": "Pomyłka."}, tests=[problem_test(403, "forbidden")]),
        request("MOPR withdraws its photo", "POST", doc + var("doc_photo_id") + "/withdraw",
                "Filed on the wrong case: the content is deleted, the audit keeps who, when, why and the hash.", user="mopr-worker",
                headers={"If-Match": '"1"'}, body={"reason": "Zdjęcie dołączone do niewłaściwej sprawy."}, tests=[status_test(204)]),
        request("The withdrawn photo is gone (404)", "GET", doc + var("doc_photo_id"), "For everyone.", user="mopr-worker",
                tests=[problem_test(404, "not_found")]),
    ]
    return folder("9. Case documents", "Upload a PDF and a photo to a case, list them as each party may, download with revalidation and a range, "
                  "try the refusals and withdraw one.", items)


def letters_folder():
    case = "/api/v1/dps-applications/" + var("dps_id")
    doc = "/api/v1/documents/"
    items = [
        request("The decision's letter on the case register", "GET", case + "/acts",
                "Folder 4's decision issued its PDF: the register names the document and its SHA-256.", user="mopr-director",
                tests=[status_test(200), 'var a = pm.response.json().acts.filter(function (x) { return x.act === "dps_application.decision"; })[0];',
                       'pm.test("a letter with its hash", function () { pm.expect(a.letter.document_id).to.be.a("string"); pm.expect(a.letter.sha256).to.match(/^[0-9a-f]{64}$/); });',
                       'pm.collectionVariables.set("letter_id", a.letter.document_id);', 'pm.collectionVariables.set("letter_sha256", a.letter.sha256);']),
        request("Listed with the case's letters", "GET", "/api/v1/documents?case_type=dps_application&case_id=" + var("dps_id") + "&kind=letter_dps_decision",
                "Letters are case documents of kind `letter_…`.", user="mopr-staff",
                tests=[status_test(200), 'pm.test("the decision", function () { var d = pm.response.json().items[0]; pm.expect(d.id).to.eql(pm.collectionVariables.get("letter_id")); pm.expect(d.sha256).to.eql(pm.collectionVariables.get("letter_sha256")); pm.expect(d.content_type).to.eql("application/pdf"); });']),
        request("Download the decision (PDF)", "GET", doc + var("letter_id") + "/content", "A4, fonts embedded, text selectable.",
                user="mopr-director",
                tests=[status_test(200), 'pm.test("a PDF", function () { pm.expect(pm.response.headers.get("Content-Type")).to.eql("application/pdf"); pm.expect(pm.response.text().substring(0, 5)).to.eql("%PDF-"); });']),
        request("A letter is kept as issued (409)", "POST", doc + var("letter_id") + "/withdraw", "Never withdrawn.",
                user="mopr-director", headers={"If-Match": '"1"'}, body={"reason": "Pomyłka."},
                tests=[problem_test(409, "letter_immutable")]),
        request("The CIS cannot read it (404)", "GET", doc + var("letter_id") + "/content", "Not its case.", user="cis-staff",
                tests=[problem_test(404, "not_found")]),
    ]
    return folder("10. Letters and decisions", "The DPS decision of folder 4 was issued as a PDF and kept as a case document; "
                  "download it and try the refusals.", items)


def disclosure_folder():
    report = "/api/v1/persons/" + var("dps_person_id") + "/disclosure"
    items = [
        request("Casework roles may not answer (403)", "GET", report, "Only an institution's admin.", user="mopr-staff",
                tests=[problem_test(403, "forbidden")]),
        request("The access report (JSON)", "GET", report, "What MOPR holds, why, who received it, and every access.",
                user="mopr-admin",
                tests=[status_test(200), 'var r = pm.response.json();',
                       'pm.test("cases, purposes, accesses", function () { pm.expect(r.cases.map(function (c) { return c.case_type; })).to.include("dps_application"); pm.expect(r.purposes.map(function (p) { return p.procedure; })).to.include("dps_placement"); pm.expect(r.accesses.length).to.be.above(0); pm.expect(r.retention).to.be.a("string"); });']),
        request("The access report (PDF)", "GET", report, "With `Accept: application/pdf`, to hand to the person.",
                user="mopr-admin", headers={"Accept": "application/pdf"},
                tests=[status_test(200), 'pm.test("a PDF", function () { pm.expect(pm.response.headers.get("Content-Type")).to.eql("application/pdf"); });']),
    ]
    return folder("11. Access report (GDPR art. 15)", "A person's right of access answered in one call, as JSON and as PDF.", items)


def build():
    collection = {
        "info": {
            "name": "reintegra",
            "description": "The procedures of reintegra end to end against a `serve --demo` server. Run the folders in order: "
                           "each stores the ids the next one needs. Import with the environment `local.postman_environment.json`.",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [setup_folder(), persons_folder(), referral_folder(), ipzs_folder(), dps_folder(), placement_folder(),
                 webhooks_folder(), administration_folder(), running_cases_folder(), documents_folder(),
                 letters_folder(), disclosure_folder()],
        "variable": [{"key": k, "value": ""} for k in
                     ["pesel", "today", "planned_end", "person_id", "application_id", "opinion_id", "referral_id",
                      "ipzs_id", "ipzs_version", "idem_key", "idem_person_id", "dps_person_id", "dps_id", "dps_version", "home_id", "fee_id", "entry_id",
                      "entry_version", "webhook_id", "hook_person_id",
                      "mopr_id", "cis_id", "pcpr_id", "ngo_id", "tomorrow", "ago_-240", "run_person_id", "run_application_id",
                      "run_application_version", "run_referral_id", "run_ipzs_id", "run_ipzs_version", "run_trial_ends_on",
                      "run_insurance_starts_on", "run_requested_on", "run_decided_on", "run_registered_on",
                      "run_qualification_id", "run_qualification_version", "run_dps_a_id", "run_dps_a_version",
                      "run_dps_a_person_id", "run_dps_b_id", "run_dps_b_version", "run_dps_b_person_id", "run_final_on",
                      "doc_pdf_id", "doc_pdf_size", "doc_pdf_etag", "doc_photo_id", "letter_id", "letter_sha256"]
                     + ["ago_" + str(n) for n in [130, 125, 122, 120, 118, 90, 88, 85, 80, 60, 55, 20, 18, 10, 8, 6]] + [token_var(u) for u in DEMO_USERS]],
    }
    return collection


def main():
    out = HERE / "reintegra.postman_collection.json"
    out.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    env = {
        "name": "reintegra local",
        "values": [
            {"key": "base_url", "value": "http://127.0.0.1:8080", "enabled": True},
            {"key": "demo_password", "value": "reintegra-demo", "enabled": True},
        ],
    }
    (HERE / "local.postman_environment.json").write_text(json.dumps(env, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
