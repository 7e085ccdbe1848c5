//! Error messages without what the client sent. serde's messages quote the value that did not fit; a message
//! reaches the response and, at `RUST_LOG=debug`, the log, and a value sent in the wrong field may be a PESEL or a
//! surname.

/// serde's message without the value the client sent: `invalid type: integer `44051401458`, expected a string`
/// becomes `invalid type: integer, expected a string`, `unknown variant `Kowalski`, expected one of …` becomes
/// `unknown variant, expected one of …`. What is expected (field and variant names) comes from the API and stays.
pub fn without_values(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    let (sent, expected) = match msg.find(", expected") {
        Some(i) => msg.split_at(i),
        None => (msg, ""),
    };
    if sent.starts_with("missing field `")
        || sent.starts_with("unknown field `")
        || sent.starts_with("duplicate field `")
    {
        return msg.to_owned();
    }
    let mut kept = String::with_capacity(sent.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for ch in sent.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if ch == '\\' && q == '"' {
                    escaped = true;
                } else if ch == q {
                    quote = None;
                }
            }
            None if ch == '`' || ch == '"' => quote = Some(ch),
            None => kept.push(ch),
        }
    }
    let kept = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{kept}{expected}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lose_the_values_sent() {
        assert_eq!(
            without_values(
                "invalid type: integer `44051401458`, expected a string at line 1 column 9"
            ),
            "invalid type: integer, expected a string"
        );
        assert_eq!(
            without_values(r#"invalid value: string "Jan \"K\"", expected a date"#),
            "invalid value: string, expected a date"
        );
        assert_eq!(
            without_values("unknown variant `Nowak`, expected `person`"),
            "unknown variant, expected `person`"
        );
        assert_eq!(
            without_values("missing field `name`"),
            "missing field `name`"
        );
    }
}
