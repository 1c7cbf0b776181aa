//! The digest as an RFC 5322 message (`multipart/alternative`, the text part then the HTML, UTF-8,
//! a stable `Message-ID`, `List-Id`, `List-Unsubscribe` and, for an https URL,
//! `List-Unsubscribe-Post` per RFC 8058), and its sending over SMTP through `lettre`: STARTTLS
//! required for `smtp://`, implicit TLS for `smtps://`, the user from the URL and the password
//! from `FEEDBRAID_SMTP_PASSWORD` only. Errors name the server, never the password.

use std::time::Duration;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use crate::config::DigestSettings;

/// Building or sending the message failed.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("[digest] needs `{0}` to send")]
    Missing(&'static str),
    #[error("not an e-mail address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("cannot read the certificate authority {path}: {source}")]
    Ca {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the SMTP server {server} refused or failed: {source}")]
    Smtp {
        server: String,
        #[source]
        source: lettre::transport::smtp::Error,
    },
}

/// A header of ours, by name (`List-Id`, `List-Unsubscribe`, `List-Unsubscribe-Post`).
macro_rules! list_header {
    ($t:ident, $name:literal) => {
        #[derive(Debug, Clone)]
        struct $t(String);
        impl Header for $t {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($t(s.to_string()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}
list_header!(ListId, "List-Id");
list_header!(ListUnsubscribe, "List-Unsubscribe");
list_header!(ListUnsubscribePost, "List-Unsubscribe-Post");

/// What the message says about itself.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    pub subject: &'a str,
    /// The left part of the `Message-ID`, stable per period and view (`digest-2026-11.zh`).
    pub id: &'a str,
    /// The network's host: the right part of the `Message-ID` and of `List-Id`.
    pub host: &'a str,
    pub list_name: &'a str,
    pub date: chrono::DateTime<chrono::Utc>,
}

/// The message, as an RFC 5322 message.
pub fn message(
    d: &DigestSettings,
    env: &Envelope<'_>,
    text: String,
    html: String,
) -> Result<Message, MailError> {
    let from: Mailbox = d
        .from
        .as_deref()
        .ok_or(MailError::Missing("from"))?
        .parse()?;
    let to: Mailbox = d.to.as_deref().ok_or(MailError::Missing("to"))?.parse()?;
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(env.subject)
        .date(env.date.into())
        .message_id(Some(format!("<{}@{}>", env.id, env.host)))
        .header(ListId(format!(
            "{} <digest.{}>",
            env.list_name.replace(['<', '>', '"', '\r', '\n'], ""),
            env.host
        )));
    if let Some(u) = &d.unsubscribe {
        b = b.header(ListUnsubscribe(format!("<{u}>")));
        if u.scheme() == "https" {
            b = b.header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
        }
    }
    Ok(b.multipart(MultiPart::alternative_plain_html(text, html))?)
}

/// Sends `msg` through `[digest] smtp`.
pub fn send(d: &DigestSettings, msg: &Message) -> Result<(), MailError> {
    let url = d.smtp.as_ref().ok_or(MailError::Missing("smtp"))?;
    let host = url.host_str().unwrap_or_default().to_string();
    let implicit = url.scheme() == "smtps";
    let server = format!("{}://{}:{}", url.scheme(), host, port(url));
    let smtp = |source| MailError::Smtp {
        server: server.clone(),
        source,
    };
    let mut tls = TlsParameters::builder(host.clone());
    if let Some(ca) = &d.smtp_ca {
        let pem = std::fs::read(ca).map_err(|source| MailError::Ca {
            path: ca.display().to_string(),
            source,
        })?;
        tls = tls.add_root_certificate(Certificate::from_pem(&pem).map_err(smtp)?);
    }
    let tls = tls.build_rustls().map_err(smtp)?;
    let mut b = SmtpTransport::builder_dangerous(host.as_str())
        .port(port(url))
        .timeout(Some(Duration::from_secs(30)))
        .tls(if implicit {
            Tls::Wrapper(tls)
        } else {
            Tls::Required(tls)
        });
    if !url.username().is_empty() {
        let password = std::env::var("FEEDBRAID_SMTP_PASSWORD").unwrap_or_default();
        let user = percent_decode(url.username());
        b = b.credentials(Credentials::new(user, password));
    }
    b.build().send(msg).map(drop).map_err(smtp)
}

fn port(url: &url::Url) -> u16 {
    url.port()
        .unwrap_or(if url.scheme() == "smtps" { 465 } else { 587 })
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("u={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
