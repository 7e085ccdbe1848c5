//! Every enum stored as text keeps one name in the database and the API (a test of the whole crate).

use strum::IntoEnumIterator;

/// The stored name (strum, matched by the migrations' CHECK constraints) is the API's name (serde), and reads
/// back as the same value.
fn stored_names_are_the_api_names<T>()
where
    T: IntoEnumIterator
        + serde::Serialize
        + Copy
        + PartialEq
        + std::fmt::Debug
        + Into<&'static str>,
    T: std::str::FromStr,
{
    for value in T::iter() {
        let stored: &'static str = value.into();
        assert_eq!(
            serde_json::to_value(value).unwrap(),
            serde_json::json!(stored),
            "{value:?}"
        );
        assert!(stored.parse::<T>().ok() == Some(value), "{value:?}");
    }
}

#[test]
fn every_stored_enum_uses_one_name_in_the_database_and_the_api() {
    use crate::{
        identity as auth, resources::ipzs, resources::opinions, resources::persons,
        resources::qualifications, resources::referral_applications, resources::referrals,
    };
    stored_names_are_the_api_names::<ipzs::model::IpzsStatus>();
    stored_names_are_the_api_names::<ipzs::model::TerminationReason>();
    stored_names_are_the_api_names::<ipzs::model::Channel>();
    stored_names_are_the_api_names::<referrals::model::Decision>();
    stored_names_are_the_api_names::<referrals::model::RefusalGround>();
    stored_names_are_the_api_names::<auth::InstitutionKind>();
    stored_names_are_the_api_names::<auth::Role>();
    stored_names_are_the_api_names::<referral_applications::model::ApplicantKind>();
    stored_names_are_the_api_names::<referral_applications::model::EligibilityCategory>();
    stored_names_are_the_api_names::<referral_applications::model::ConsentGivenBy>();
    stored_names_are_the_api_names::<referral_applications::model::ApplicationStatus>();
    stored_names_are_the_api_names::<persons::pesel::Sex>();
    stored_names_are_the_api_names::<qualifications::model::QualificationDecision>();
    stored_names_are_the_api_names::<opinions::model::Recommendation>();
    stored_names_are_the_api_names::<crate::resources::deadlines::model::DeadlineKind>();
    stored_names_are_the_api_names::<crate::records::events::EventType>();
    stored_names_are_the_api_names::<crate::records::webhooks::model::DeliveryStatus>();
}
