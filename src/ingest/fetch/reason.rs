//! A failed request in a few words ("host not found", "connection refused", "TLS certificate not
//! accepted"), for the run's summary, where a reqwest error's chain of causes ("error sending
//! request for url (...): client error (Connect): dns error: failed to lookup address
//! information: ...") is a wall. The chain itself is kept for `status.json` (`describe`).

/// The short reason for `e`: the first cause that says what happened, else reqwest's own
/// classification.
pub fn short_reason(e: &reqwest::Error) -> String {
    let mut texts = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && let Some(r) = io_reason(io.kind())
        {
            return r.into();
        }
        texts.push(s.to_string().to_ascii_lowercase());
        src = s.source();
    }
    let all = texts.join(" | ");
    if let Some(r) = text_reason(&all) {
        return r.into();
    }
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_redirect() {
        "too many redirects".into()
    } else if e.is_body() || e.is_decode() {
        "the response was cut off or could not be decoded".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        let first = texts.last().map_or("request failed", String::as_str);
        first.chars().take(80).collect()
    }
}

fn io_reason(kind: std::io::ErrorKind) -> Option<&'static str> {
    use std::io::ErrorKind::*;
    Some(match kind {
        ConnectionRefused => "connection refused",
        ConnectionReset | ConnectionAborted | BrokenPipe => "connection reset",
        TimedOut => "timed out",
        HostUnreachable | NetworkUnreachable => "host unreachable",
        _ => return None,
    })
}

fn text_reason(all: &str) -> Option<&'static str> {
    let has = |needles: &[&str]| needles.iter().any(|n| all.contains(n));
    Some(
        if has(&[
            "dns error",
            "failed to lookup address",
            "name or service not known",
            "no such host",
            "nodename nor servname",
        ]) {
            "host not found"
        } else if has(&["connection refused"]) {
            "connection refused"
        } else if has(&["certificate", "unknownissuer", "invalid peer certificate"]) {
            "TLS certificate not accepted"
        } else if has(&["tls", "handshake", "rustls"]) {
            "TLS handshake failed"
        } else if has(&["connection reset", "connection closed", "unexpected eof"]) {
            "connection reset"
        } else {
            return None;
        },
    )
}

#[cfg(test)]
mod tests {
    use super::text_reason;

    #[test]
    fn causes_are_named_in_a_few_words() {
        let dns = "error sending request for url (https://x.example/) | client error (connect) | dns error: failed to lookup address information: name or service not known";
        assert_eq!(text_reason(dns), Some("host not found"));
        assert_eq!(
            text_reason("invalid peer certificate: unknownissuer"),
            Some("TLS certificate not accepted")
        );
        assert_eq!(text_reason("something else"), None);
    }
}
