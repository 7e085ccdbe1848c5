//! The states of an IPZS, why one is terminated early, and how a notice is sent.

crate::stored_enum! {
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum IpzsStatus {
        /// The trial month (okres próbny).
        Trial,
        /// Qualified; the proper period (okres właściwy) runs.
        Active,
        /// Ended at the planned end.
        Completed,
        /// MOPR did not qualify the participant after the trial month.
        NotQualified,
        /// Dissolved before the planned end (breach, absence, withdrawal, other).
        Terminated,
    }
}

crate::stored_enum! {
    /// Why an IPZS was dissolved early (art. 13: persistent breach, absence, withdrawal).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum TerminationReason {
        Breach,
        Absence,
        Withdrawal,
        Other,
    }
}

crate::stored_enum! {
    /// How a message travelled between the institutions (time is short, so e-mail and fax are allowed).
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Channel {
        Letter,
        Email,
        Fax,
        Api,
    }
}
