// One portable schema for both backends: TEXT ids (UUIDv7), TIMESTAMP in UTC, DATE for legal dates, enums as
// TEXT with CHECK constraints in the migrations.

diesel::table! {
    institutions (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        address -> Text,
        area -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        institution_id -> Nullable<Text>,
        username -> Text,
        display_name -> Nullable<Text>,
        password_hash -> Text,
        role -> Text,
        active -> Bool,
        failed_logins -> Integer,
        last_failed_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        institution_id -> Text,
        client_id -> Text,
        secret_hash -> Text,
        name -> Text,
        role -> Text,
        active -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
        failed_logins -> Integer,
        last_failed_login_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Text,
        actor_institution_id -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Text,
        person_id -> Nullable<Text>,
        request_id -> Text,
        detail -> Nullable<Text>,
        legal_date -> Nullable<Date>,
    }
}

diesel::table! {
    persons (id) {
        id -> Text,
        first_name -> Text,
        last_name -> Text,
        last_name_key -> Text,
        pesel -> Nullable<Text>,
        birth_date -> Date,
        sex -> Text,
        residence_address -> Nullable<Text>,
        stay_address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        registered_by_institution_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    person_access (institution_id, person_id, reason) {
        person_id -> Text,
        institution_id -> Text,
        reason -> Text,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    person_changes (id) {
        id -> Text,
        person_id -> Text,
        version -> Integer,
        changed_at -> Timestamp,
        actor_id -> Text,
        actor_institution_id -> Nullable<Text>,
        fields -> Text,
    }
}

diesel::table! {
    referral_applications (id) {
        id -> Text,
        person_id -> Text,
        mopr_id -> Text,
        target_cis_id -> Text,
        applicant_kind -> Text,
        applicant_name -> Nullable<Text>,
        filed_by_institution_id -> Text,
        filed_by_user_id -> Text,
        eligibility_categories -> Text,
        other_category_description -> Nullable<Text>,
        justification -> Text,
        received_on -> Date,
        consent_given_on -> Date,
        consent_given_by -> Text,
        opinion_due_on -> Date,
        status -> Text,
        declared_benefits -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        withdrawn_on -> Nullable<Date>,
        recorded_late -> Bool,
    }
}

diesel::table! {
    opinions (id) {
        id -> Text,
        application_id -> Text,
        author_id -> Text,
        family_interview_on -> Date,
        recommendation -> Text,
        justification -> Text,
        issued_at -> Timestamp,
        issued_on -> Date,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        application_id -> Text,
        decision -> Text,
        reasons -> Nullable<Text>,
        decided_by -> Text,
        issued_at -> Timestamp,
        refusal_ground -> Nullable<Text>,
        issued_on -> Date,
    }
}

diesel::table! {
    events (seq) {
        seq -> BigInt,
        id -> Text,
        institution_id -> Text,
        event_type -> Text,
        resource_type -> Text,
        resource_id -> Text,
        occurred_at -> Timestamp,
        txid -> BigInt,
        legal_date -> Nullable<Date>,
    }
}

diesel::table! {
    admission_lists (id) {
        id -> Text,
        cis_id -> Text,
        mopr_id -> Text,
        sent_at -> Timestamp,
        sent_by -> Text,
        sent_on -> Date,
    }
}

diesel::table! {
    ipzs (id) {
        id -> Text,
        referral_id -> Text,
        person_id -> Text,
        cis_id -> Text,
        mopr_id -> Text,
        signed_on -> Date,
        start_on -> Date,
        proper_period_starts_on -> Date,
        planned_end_on -> Date,
        diagnosis -> Text,
        goals -> Text,
        activities -> Text,
        status -> Text,
        admission_list_due_on -> Date,
        admission_list_id -> Nullable<Text>,
        admission_listed_on -> Nullable<Date>,
        insurance_starts_on -> Date,
        insurance_ends_on -> Nullable<Date>,
        insurance_registered_on -> Nullable<Date>,
        insurance_deregistered_on -> Nullable<Date>,
        ended_on -> Nullable<Date>,
        termination_reason -> Nullable<Text>,
        termination_details -> Nullable<Text>,
        termination_notice_due_on -> Nullable<Date>,
        mopr_informed_on -> Nullable<Date>,
        non_qualification_letter_sent_on -> Nullable<Date>,
        participant_informed_of_insurance -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        recorded_late -> Bool,
    }
}

diesel::table! {
    qualifications (id) {
        id -> Text,
        ipzs_id -> Text,
        requested_on -> Date,
        requested_by -> Text,
        request_channel -> Text,
        decision -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        decided_by -> Nullable<Text>,
        decision_channel -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::joinable!(users -> institutions (institution_id));
diesel::joinable!(qualifications -> ipzs (ipzs_id));
diesel::joinable!(opinions -> referral_applications (application_id));
diesel::joinable!(referrals -> referral_applications (application_id));
diesel::joinable!(person_access -> persons (person_id));
diesel::joinable!(person_changes -> persons (person_id));
diesel::joinable!(api_clients -> institutions (institution_id));

diesel::allow_tables_to_appear_in_same_query!(
    institutions,
    users,
    api_clients,
    audit_events,
    persons,
    person_access,
    person_changes,
    referral_applications,
    opinions,
    referrals,
    events,
    admission_lists,
    ipzs,
    qualifications,
);

diesel::table! {
    obligations (institution_id, kind, resource_id) {
        institution_id -> Text,
        kind -> Text,
        resource_type -> Text,
        resource_id -> Text,
        source_id -> Text,
        person_id -> Text,
        due_on -> Date,
        met_on -> Nullable<Date>,
    }
}

diesel::table! {
    dps_applications (id) {
        id -> Text,
        person_id -> Text,
        mopr_id -> Text,
        applicant_kind -> Text,
        applicant_name -> Nullable<Text>,
        form -> Text,
        received_on -> Date,
        documents_due_on -> Date,
        dps_type -> Text,
        preferred_home -> Nullable<Text>,
        justification -> Text,
        income_documents_filed -> Bool,
        filed_by_institution_id -> Text,
        filed_by_user_id -> Text,
        status -> Text,
        complicated -> Bool,
        complicated_reason -> Nullable<Text>,
        facts -> Nullable<Text>,
        documents -> Text,
        custom_documents -> Text,
        file_completed_on -> Nullable<Date>,
        qualifying_team -> Nullable<Text>,
        pauses -> Text,
        delay_notices -> Text,
        decision -> Nullable<Text>,
        previous_decisions -> Text,
        parties -> Text,
        appeals -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        recorded_late -> Bool,
    }
}

diesel::table! {
    care_homes (id) {
        id -> Text,
        name -> Text,
        address -> Text,
        dps_types -> Text,
        places -> Integer,
        occupied -> Integer,
        operator -> Text,
        placing_institution_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    care_home_costs (care_home_id, applies_from) {
        care_home_id -> Text,
        applies_from -> Date,
        monthly_cost -> BigInt,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    care_home_residents (id) {
        id -> Text,
        care_home_id -> Text,
        person_id -> Nullable<Text>,
        waiting_list_entry_id -> Nullable<Text>,
        admitted_on -> Date,
        left_on -> Nullable<Date>,
        leave_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    income_criteria (applies_from) {
        applies_from -> Date,
        single -> BigInt,
        per_person_in_family -> BigInt,
        legal_basis -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    fee_decisions (id) {
        id -> Text,
        dps_application_id -> Text,
        person_id -> Text,
        mopr_id -> Text,
        care_home_id -> Text,
        applies_from -> Date,
        criterion_applies_from -> Date,
        cost_applies_from -> Date,
        input -> Text,
        split -> Text,
        supersedes_id -> Nullable<Text>,
        issued_on -> Date,
        issued_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    waiting_list_entries (id) {
        id -> Text,
        care_home_id -> Text,
        dps_application_id -> Text,
        person_id -> Text,
        mopr_id -> Text,
        placing_institution_id -> Text,
        entered_on -> Date,
        priority_basis -> Nullable<Text>,
        queue_key -> Text,
        status -> Text,
        left_on -> Nullable<Date>,
        leave_note -> Nullable<Text>,
        placement -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    sign_in_failures (account_id, client_addr) {
        account_id -> Text,
        client_addr -> Text,
        failures -> Integer,
        last_failed_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (caller_id, idem_key) {
        caller_id -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        completed -> Bool,
        status -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        institution_id -> Text,
        url -> Text,
        event_types -> Text,
        description -> Text,
        secret -> Text,
        active -> Bool,
        cursor_txid -> BigInt,
        cursor_seq -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        event_id -> Text,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, attempt) {
        delivery_id -> Text,
        attempt -> Integer,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts
);

diesel::table! {
    case_acts (id) {
        id -> Text,
        case_type -> Text,
        case_id -> Text,
        act -> Text,
        legal_date -> Date,
        recorded_at -> Timestamp,
        recorded_by -> Text,
        institution_id -> Nullable<Text>,
        recorded_late -> Bool,
        letter_document_id -> Nullable<Text>,
        letter_sha256 -> Nullable<Text>,
        letter_source -> Nullable<Text>,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        case_type -> Text,
        case_id -> Text,
        person_id -> Text,
        kind -> Text,
        title -> Text,
        filename -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        received_on -> Date,
        filed_by_institution_id -> Text,
        filed_by_user_id -> Text,
        status -> Text,
        recorded_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Text>,
        withdrawal_reason -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    document_chunks (document_id, seq) {
        document_id -> Text,
        seq -> Integer,
        data -> Binary,
    }
}
