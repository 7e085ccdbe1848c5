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
    }
}

diesel::joinable!(users -> institutions (institution_id));
diesel::joinable!(api_clients -> institutions (institution_id));

diesel::allow_tables_to_appear_in_same_query!(institutions, users, api_clients, audit_events);
